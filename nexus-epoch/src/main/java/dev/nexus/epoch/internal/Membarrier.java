package dev.nexus.epoch.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.Objects;

/**
 * Linux's {@code membarrier(2)} through FFM: a process-wide memory barrier issued by one thread.
 * {@link #privateExpedited()} returns only after every thread of this process that was running on a
 * CPU has executed a full memory barrier; threads that were not running pass through the scheduler,
 * which orders their memory accesses too. With it, a store→load order that readers would otherwise
 * buy with a locked instruction can be paid once on the other side (the asymmetric fence of
 * DESIGN.md section 3.1).
 *
 * <p><b>Caller assumptions.</b> Callers ask {@link #status()} first and use another way to order
 * memory when {@link Status#supported()} is false; {@link #privateExpedited()} on an unsupported
 * system throws.
 *
 * <p><b>Guarantees.</b> {@link #get()} probes once per process, on first use: it finds the system
 * call ({@code syscall(SYS_membarrier, ...)} through the linker's default lookup where the
 * architecture's number is known, else the C library's {@code membarrier} symbol), asks the kernel
 * which commands it offers ({@code MEMBARRIER_CMD_QUERY}) and registers the process for the private
 * expedited command ({@code MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED}). The probe never throws: on
 * another operating system, an unknown architecture, a kernel older than 4.14 (no private expedited
 * command), or under a seccomp filter that refuses the call, the status says which, with
 * {@code errno} and its {@code strerror} text.
 *
 * <p><b>Progress.</b> {@link #privateExpedited()} blocks in the kernel for a few microseconds (it
 * interrupts the CPUs that run this process's threads and waits for them); it never waits on a lock
 * held by another Java thread. Thread-safe.
 *
 * <p>Example:
 * <pre>{@code
 * Membarrier membarrier = Membarrier.get();
 * if (membarrier.status().supported()) {
 *     membarrier.privateExpedited();   // every running thread of the process executed a full fence
 * } else {
 *     VarHandle.fullFence();           // and the readers keep their own store->load fence
 * }
 * }</pre>
 *
 * <p>This class holds no protocol logic: which accesses a call orders is the caller's argument
 * ({@code docs/memory-model.md}).
 */
public final class Membarrier {

    /*
     * Implementation notes.
     *
     * The command values are the kernel's uapi <linux/membarrier.h>, the same on every architecture.
     * glibc exports no membarrier wrapper, so the call goes through syscall(3), variadic from its
     * second argument: the three arguments are passed as longs, which is what syscall(3) reads with
     * va_arg on LP64 (an int would leave the register's upper half undefined; the kernel truncates
     * to int either way). musl exports membarrier(2) itself; it is used only where the architecture's
     * number is not in the table below. errno is captured by the linker (captureCallState), because a
     * later JVM-internal call may overwrite the thread's errno before Java could read it.
     */

    /** {@code MEMBARRIER_CMD_QUERY}: returns the bit mask of the commands the kernel offers. */
    public static final int CMD_QUERY = 0;
    /** {@code MEMBARRIER_CMD_PRIVATE_EXPEDITED}: a barrier on every running thread of this process. */
    public static final int CMD_PRIVATE_EXPEDITED = 1 << 3;
    /** {@code MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED}: must precede the first expedited call. */
    public static final int CMD_REGISTER_PRIVATE_EXPEDITED = 1 << 4;

    /** The one probe of this process; see {@link #get()}. */
    private static final class Holder {
        static final Membarrier INSTANCE = probe(System.getProperty("os.name", ""),
                System.getProperty("os.arch", ""), Native::find);
    }

    private final Status status;
    private final Kernel kernel;

    private Membarrier(Status status, Kernel kernel) {
        this.status = status;
        this.kernel = kernel;
    }

    /**
     * The process-wide instance; probes (query, then registration) on the first call.
     *
     * @return the instance, supported or not
     */
    public static Membarrier get() {
        return Holder.INSTANCE;
    }

    /**
     * Whether {@link #privateExpedited()} can be used, and why not.
     *
     * @return the probe's result
     */
    public Status status() {
        return status;
    }

    /**
     * {@code membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0)}: returns once every thread of this
     * process that was running on a CPU has executed a full memory barrier. Every store a running
     * thread issued before that barrier is then visible to the caller's later loads (the barrier
     * drains its store buffer), and every load that thread issues after it sees the caller's earlier
     * stores.
     *
     * @throws IllegalStateException if {@link #status()} says unsupported (the message gives the
     *         reason), or if the kernel refuses a call it accepted at registration (call, errno and
     *         its text)
     */
    public void privateExpedited() {
        if (!status.supported()) {
            throw new IllegalStateException("membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) is not available: "
                    + status.reason());
        }
        Result result = kernel.call(CMD_PRIVATE_EXPEDITED);
        if (result.value() != 0) {
            throw new IllegalStateException(failure("MEMBARRIER_CMD_PRIVATE_EXPEDITED", result));
        }
    }

    @Override
    public String toString() {
        return "Membarrier[" + status + "]";
    }

    /**
     * The probe, with the operating system, the architecture and the system call given: the
     * process-wide instance uses the real ones, tests a scripted kernel.
     *
     * @param osName the {@code os.name} property
     * @param osArch the {@code os.arch} property
     * @param finder finds the call for an architecture, or returns a reason it cannot
     * @return an instance whose status says whether the private expedited command is registered
     */
    static Membarrier probe(String osName, String osArch, KernelFinder finder) {
        if (!osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return unsupported("membarrier(2) is Linux only; this is " + osName);
        }
        Found found = finder.find(osArch);
        if (found.kernel() == null) {
            return unsupported(found.description());
        }
        Kernel kernel = found.kernel();
        Result query = kernel.call(CMD_QUERY);
        if (query.value() < 0) {
            return unsupported(failure("MEMBARRIER_CMD_QUERY", query) + " via " + found.description()
                    + " (ENOSYS: kernel without membarrier, before 4.3; EPERM: refused by a seccomp filter)");
        }
        long commands = query.value();
        int needed = CMD_PRIVATE_EXPEDITED | CMD_REGISTER_PRIVATE_EXPEDITED;
        if ((commands & needed) != needed) {
            return unsupported("the kernel offers membarrier commands 0x" + Long.toHexString(commands)
                    + " without MEMBARRIER_CMD_PRIVATE_EXPEDITED (0x" + Integer.toHexString(CMD_PRIVATE_EXPEDITED)
                    + ") and its registration (0x" + Integer.toHexString(CMD_REGISTER_PRIVATE_EXPEDITED)
                    + "): a kernel before 4.14");
        }
        Result register = kernel.call(CMD_REGISTER_PRIVATE_EXPEDITED);
        if (register.value() != 0) {
            return unsupported(failure("MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED", register) + " via "
                    + found.description());
        }
        return new Membarrier(new Status(true, "registered for MEMBARRIER_CMD_PRIVATE_EXPEDITED via "
                + found.description() + "; commands offered 0x" + Long.toHexString(commands)), kernel);
    }

    private static Membarrier unsupported(String reason) {
        return new Membarrier(new Status(false, reason), command -> new Result(-1, 0));
    }

    private static String failure(String command, Result result) {
        return "membarrier(" + command + ", 0, 0) returned " + result.value() + ": errno=" + result.errno()
                + " (" + Native.strerror(result.errno()) + ")";
    }

    /**
     * Whether the private expedited barrier is usable, and a sentence saying why or why not.
     *
     * @param supported whether {@link #privateExpedited()} may be called
     * @param reason how the call is made (system call number, commands offered), or why it cannot be:
     *        the operating system, the architecture, or the failed command with {@code errno} and its
     *        text
     */
    public record Status(boolean supported, String reason) {

        /**
         * A status.
         *
         * @param supported whether {@link #privateExpedited()} may be called
         * @param reason the sentence; never null
         */
        public Status {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String toString() {
            return (supported ? "supported: " : "not supported: ") + reason;
        }
    }

    /** What one system call returned: its value, and {@code errno} when the value is negative. */
    record Result(long value, int errno) {
    }

    /** One {@code membarrier(cmd, 0, 0)} call. */
    @FunctionalInterface
    interface Kernel {
        Result call(int command);
    }

    /** Finds the system call for an architecture. */
    @FunctionalInterface
    interface KernelFinder {
        Found find(String osArch);
    }

    /**
     * The call found for an architecture, or {@code null} and the reason.
     *
     * @param kernel the call, or null
     * @param description how it is made ({@code syscall(324)}), or why there is none
     */
    record Found(Kernel kernel, String description) {
    }

    /** The real system call, through FFM. */
    static final class Native {

        private static final Linker LINKER = Linker.nativeLinker();
        private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
        private static final VarHandle ERRNO =
                CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

        private Native() {
        }

        /**
         * {@code SYS_membarrier} per {@code os.arch}, from each architecture's system call table in
         * the kernel ({@code arch/x86/entry/syscalls/syscall_64.tbl}, {@code include/uapi/asm-generic/unistd.h}
         * for aarch64, riscv64 and loongarch64, {@code arch/powerpc/kernel/syscalls/syscall.tbl},
         * {@code arch/s390/kernel/syscalls/syscall.tbl}); -1 when not known.
         */
        static long syscallNumber(String osArch) {
            return switch (osArch) {
                case "amd64", "x86_64" -> 324;
                case "aarch64", "riscv64", "loongarch64" -> 283;
                case "ppc64", "ppc64le" -> 365;
                case "s390x" -> 356;
                default -> -1;
            };
        }

        static Found find(String osArch) {
            long number = syscallNumber(osArch);
            MemorySegment syscall = LINKER.defaultLookup().find("syscall").orElse(null);
            if (number >= 0 && syscall != null) {
                MethodHandle handle = LINKER.downcallHandle(syscall,
                        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                        Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
                return new Found(command -> invoke(handle, true, number, command),
                        "syscall(SYS_membarrier=" + number + ") on " + osArch);
            }
            MemorySegment membarrier = LINKER.defaultLookup().find("membarrier").orElse(null);
            if (membarrier != null) {
                MethodHandle handle = LINKER.downcallHandle(membarrier,
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT),
                        Linker.Option.captureCallState("errno"));
                return new Found(command -> invoke(handle, false, 0, command), "the C library's membarrier()");
            }
            return new Found(null, "no way to call membarrier on " + osArch + ": the system call number is not "
                    + "known for this architecture and the C library exports no membarrier symbol");
        }

        private static Result invoke(MethodHandle handle, boolean viaSyscall, long number, int command) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(CALL_STATE);
                long value = viaSyscall
                        ? (long) handle.invokeExact(state, number, (long) command, 0L, 0L)
                        : (int) handle.invokeExact(state, command, 0, 0);
                return new Result(value, value < 0 ? (int) ERRNO.get(state, 0L) : 0);
            } catch (Error | RuntimeException e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError("membarrier downcall failed", t);
            }
        }

        /** The C library's text for {@code errno}, or {@code "unknown error"} without {@code strerror}. */
        static String strerror(int errno) {
            MemorySegment symbol = LINKER.defaultLookup().find("strerror").orElse(null);
            if (symbol == null) {
                return "unknown error";
            }
            MethodHandle strerror = LINKER.downcallHandle(symbol,
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            try {
                MemorySegment text = (MemorySegment) strerror.invokeExact(errno);
                return text.equals(MemorySegment.NULL) ? "unknown error" : text.reinterpret(256).getString(0);
            } catch (Error | RuntimeException e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError("strerror downcall failed", t);
            }
        }
    }
}
