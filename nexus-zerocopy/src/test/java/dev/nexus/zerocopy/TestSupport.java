package dev.nexus.zerocopy;

import dev.nexus.epoch.EpochDomain;
import java.time.Duration;

/** Shared constants of the zerocopy tests. */
final class TestSupport {

    /** Multiplier for every timeout in the tests: raise it on slow machines. */
    static final int TIMEOUT_FACTOR = Integer.getInteger("nexus.test.timeoutFactor", 1);

    /** The base timeout: long enough for any single wait in these tests on a loaded 2-core machine. */
    static final Duration LONG = Duration.ofSeconds(60L * TIMEOUT_FACTOR);

    private TestSupport() {
    }

    /** A domain that reclaims on the calling thread, so tests see frees without a background thread. */
    static EpochDomain inlineDomain(String name) {
        return EpochDomain.builder().name(name).reclaimInline(true).build();
    }
}
