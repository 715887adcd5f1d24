/**
 * Nexus epoch core: epoch domains that free native memory once no pinned reader can still see it.
 * Exports the API package only; {@code dev.nexus.epoch.internal} stays hidden.
 */
module dev.nexus.epoch {
    requires jdk.jfr;
    requires org.jctools.core;

    exports dev.nexus.epoch;
}
