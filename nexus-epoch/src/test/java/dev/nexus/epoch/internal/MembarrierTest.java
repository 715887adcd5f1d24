package dev.nexus.epoch.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.nexus.epoch.internal.Membarrier.Found;
import dev.nexus.epoch.internal.Membarrier.Kernel;
import dev.nexus.epoch.internal.Membarrier.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@link Membarrier}: the real system call on this machine (untimed), and the probe's answers for
 * systems that refuse it, through a scripted kernel.
 */
class MembarrierTest {

    private static final int EPERM = 1;
    private static final int EINVAL = 22;
    private static final int ENOSYS = 38;
    /**
     * The join timeout: the base of {@code dev.nexus.epoch.TestThreads.LONG}, scaled by the same
     * {@code nexus.test.timeoutFactor} (that class is package-private to the API package).
     */
    private static final Duration LONG = Duration.ofSeconds(60L * Integer.getInteger("nexus.test.timeoutFactor", 1));
    /** What a 6.x kernel answers to {@code MEMBARRIER_CMD_QUERY}: every command up to RSEQ. */
    private static final long ALL_COMMANDS = 0x1ff;

    private static boolean linuxWithKnownSyscall() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")
                && Membarrier.Native.syscallNumber(System.getProperty("os.arch", "")) >= 0;
    }

    /** A scripted kernel: answers each command from the map, and records the commands it was given. */
    private static final class ScriptedKernel implements Kernel {
        final Map<Integer, Result> answers;
        final List<Integer> calls = new ArrayList<>();

        ScriptedKernel(Map<Integer, Result> answers) {
            this.answers = answers;
        }

        @Override
        public Result call(int command) {
            calls.add(command);
            return answers.getOrDefault(command, new Result(-1, EINVAL));
        }
    }

    private static Membarrier probe(ScriptedKernel kernel) {
        return Membarrier.probe("Linux", "amd64", arch -> new Found(kernel, "scripted kernel"));
    }

    /** On this Linux machine the probe finds the call, registers, and says how it calls. */
    @Test
    void realKernelIsSupportedAndRegistered() {
        assumeThat(linuxWithKnownSyscall()).as("Linux on an architecture with a known SYS_membarrier").isTrue();
        Membarrier.Status status = Membarrier.get().status();
        assertThat(status.supported()).as(status.toString()).isTrue();
        assertThat(status.reason()).contains("registered for MEMBARRIER_CMD_PRIVATE_EXPEDITED",
                "SYS_membarrier=" + Membarrier.Native.syscallNumber(System.getProperty("os.arch")));
        assertThat(Membarrier.get()).hasToString("Membarrier[supported: " + status.reason() + "]");
    }

    /** The real query answers a mask that holds the private expedited command and its registration. */
    @Test
    void realQueryOffersPrivateExpedited() {
        assumeThat(linuxWithKnownSyscall()).isTrue();
        Found found = Membarrier.Native.find(System.getProperty("os.arch"));
        assertThat(found.kernel()).as(found.description()).isNotNull();
        Result query = found.kernel().call(Membarrier.CMD_QUERY);
        assertThat(query.value()).isPositive();
        assertThat(query.value() & Membarrier.CMD_PRIVATE_EXPEDITED).isNotZero();
        assertThat(query.value() & Membarrier.CMD_REGISTER_PRIVATE_EXPEDITED).isNotZero();
    }

    /** The real barrier returns without error, many times and from several threads at once. */
    @Test
    void realBarrierSucceedsRepeatedlyFromSeveralThreads() throws InterruptedException {
        assumeThat(linuxWithKnownSyscall()).isTrue();
        Membarrier membarrier = Membarrier.get();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 1_000; i++) {
                        membarrier.privateExpedited();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join(LONG.toMillis());
            assertThat(thread.isAlive()).as("thread %s finished", thread.getName()).isFalse();
        }
        assertThat(failures).isEmpty();
    }

    /** Without an error from the kernel, the expedited call is issued after exactly one query and one registration. */
    @Test
    void probeQueriesThenRegistersOnce() {
        ScriptedKernel kernel = new ScriptedKernel(Map.of(
                Membarrier.CMD_QUERY, new Result(ALL_COMMANDS, 0),
                Membarrier.CMD_REGISTER_PRIVATE_EXPEDITED, new Result(0, 0),
                Membarrier.CMD_PRIVATE_EXPEDITED, new Result(0, 0)));
        Membarrier membarrier = probe(kernel);
        membarrier.privateExpedited();
        membarrier.privateExpedited();
        assertThat(membarrier.status().supported()).isTrue();
        assertThat(kernel.calls).containsExactly(Membarrier.CMD_QUERY, Membarrier.CMD_REGISTER_PRIVATE_EXPEDITED,
                Membarrier.CMD_PRIVATE_EXPEDITED, Membarrier.CMD_PRIVATE_EXPEDITED);
    }

    /** Another operating system is unsupported, says which, and never reaches the kernel. */
    @Test
    void otherOperatingSystemIsUnsupported() {
        Membarrier membarrier = Membarrier.probe("Mac OS X", "aarch64", arch -> {
            throw new AssertionError("no system call lookup off Linux");
        });
        assertThat(membarrier.status().supported()).isFalse();
        assertThat(membarrier.status().reason()).contains("Linux only", "Mac OS X");
    }

    /** An architecture without a known number and a C library without the symbol: unsupported, and why. */
    @Test
    void unknownArchitectureIsUnsupported() {
        assertThat(Membarrier.Native.syscallNumber("sparcv9")).isEqualTo(-1);
        Membarrier membarrier = Membarrier.probe("Linux", "sparcv9",
                arch -> new Found(null, "no way to call membarrier on " + arch));
        assertThat(membarrier.status().supported()).isFalse();
        assertThat(membarrier.status().reason()).isEqualTo("no way to call membarrier on sparcv9");
    }

    /** A kernel without the system call (ENOSYS) is unsupported; the reason gives errno and its text. */
    @Test
    void kernelWithoutTheCallIsUnsupported() {
        Membarrier membarrier = probe(new ScriptedKernel(Map.of(Membarrier.CMD_QUERY, new Result(-1, ENOSYS))));
        assertThat(membarrier.status().supported()).isFalse();
        assertThat(membarrier.status().reason()).contains("MEMBARRIER_CMD_QUERY", "errno=38",
                "(" + Membarrier.Native.strerror(ENOSYS) + ")");
    }

    /** A seccomp filter that refuses the call (EPERM) is unsupported, and no registration is tried. */
    @Test
    void seccompRefusalIsUnsupported() {
        ScriptedKernel kernel = new ScriptedKernel(Map.of(Membarrier.CMD_QUERY, new Result(-1, EPERM)));
        Membarrier membarrier = probe(kernel);
        assertThat(membarrier.status().supported()).isFalse();
        assertThat(membarrier.status().reason()).contains("errno=1", "seccomp");
        assertThat(kernel.calls).containsExactly(Membarrier.CMD_QUERY);
    }

    /** A kernel before 4.14 offers membarrier without the private expedited command: unsupported. */
    @Test
    void kernelWithoutPrivateExpeditedIsUnsupported() {
        ScriptedKernel kernel = new ScriptedKernel(Map.of(Membarrier.CMD_QUERY, new Result(0x1, 0)));
        Membarrier membarrier = probe(kernel);
        assertThat(membarrier.status().supported()).isFalse();
        assertThat(membarrier.status().reason()).contains("0x1", "before 4.14");
        assertThat(kernel.calls).containsExactly(Membarrier.CMD_QUERY);
    }

    /** A refused registration is unsupported, with the command and errno in the reason. */
    @Test
    void refusedRegistrationIsUnsupported() {
        Membarrier membarrier = probe(new ScriptedKernel(Map.of(
                Membarrier.CMD_QUERY, new Result(ALL_COMMANDS, 0),
                Membarrier.CMD_REGISTER_PRIVATE_EXPEDITED, new Result(-1, EINVAL))));
        assertThat(membarrier.status().supported()).isFalse();
        assertThat(membarrier.status().reason()).contains("MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED", "errno=22");
    }

    /** The barrier on an unsupported system throws with the probe's reason instead of calling the kernel. */
    @Test
    void barrierOnUnsupportedSystemThrowsWithTheReason() {
        Membarrier membarrier = Membarrier.probe("Windows 11", "amd64", arch -> new Found(null, "unused"));
        assertThatThrownBy(membarrier::privateExpedited)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not available")
                .hasMessageContaining("Windows 11");
    }

    /** A kernel that refuses a barrier after accepting the registration makes the call throw with errno. */
    @Test
    void refusedBarrierThrowsWithErrno() {
        Membarrier membarrier = probe(new ScriptedKernel(Map.of(
                Membarrier.CMD_QUERY, new Result(ALL_COMMANDS, 0),
                Membarrier.CMD_REGISTER_PRIVATE_EXPEDITED, new Result(0, 0),
                Membarrier.CMD_PRIVATE_EXPEDITED, new Result(-1, EPERM))));
        assertThat(membarrier.status().supported()).isTrue();
        assertThatThrownBy(membarrier::privateExpedited)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("MEMBARRIER_CMD_PRIVATE_EXPEDITED")
                .hasMessageContaining("errno=1");
    }
}
