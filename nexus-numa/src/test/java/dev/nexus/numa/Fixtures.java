package dev.nexus.numa;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;

/** Test fixtures: the {@code /sys} trees under {@code src/test/resources/topology}, and the one timeout. */
final class Fixtures {

    /** Scales every timeout of these tests ({@code -Dnexus.test.timeoutFactor=4} on a slow machine). */
    static final int TIMEOUT_FACTOR = Integer.getInteger("nexus.test.timeoutFactor", 1);
    /** The timeout every wait of these tests derives from. */
    static final Duration TIMEOUT = Duration.ofSeconds(30L * TIMEOUT_FACTOR);

    private Fixtures() {
    }

    /** The root directory of a fixture machine: {@code two-node}, {@code four-node}, {@code eight-node}, {@code eight-node-cpuset}. */
    static Path root(String machine) {
        try {
            return Path.of(Fixtures.class.getResource("/topology/" + machine).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("missing test fixture topology/" + machine, e);
        }
    }

    /** A runtime over a fake binding and a fixture machine. */
    static NumaRuntime runtime(FakeNumaBinding binding, String machine) {
        return new NumaRuntime(binding, root(machine));
    }
}
