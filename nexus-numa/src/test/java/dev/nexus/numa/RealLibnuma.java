package dev.nexus.numa;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The assumption of the tests that need the real libnuma of this machine. */
final class RealLibnuma {

    private RealLibnuma() {
    }

    /** Skips the calling test, naming why, unless libnuma is loaded and mbind works here. */
    static NumaRuntime require() {
        NumaRuntime runtime = NumaRuntime.system();
        assumeTrue(runtime.topology().hasLibnuma(), () -> "needs libnuma (apt-get install libnuma1): "
                + runtime.topology().whyNot().orElse(""));
        assumeTrue(runtime.topology().canBind(), () -> "needs kernel NUMA support: " + runtime.topology().whyNot().orElse(""));
        assumeTrue(runtime.placementProblem() == null, () -> "needs a working mbind: " + runtime.placementProblem());
        return runtime;
    }
}
