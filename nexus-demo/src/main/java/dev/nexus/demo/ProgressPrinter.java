package dev.nexus.demo;

import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The live progress line on stderr, once a second: reads/s, retires/s (values replaced and handed to
 * reclamation), pending garbage bytes and the epoch. On a terminal the line is rewritten in place
 * with {@code \r}; otherwise (a pipe, a file, a CI log) each report is a line of its own.
 *
 * <p>Not thread-safe: one monitoring thread reports.
 */
final class ProgressPrinter {

    /** Where and how progress goes; {@code --progress}. */
    enum Mode {
        /** {@link #TTY} if stderr is a terminal, else {@link #PLAIN}. */
        AUTO,
        /** One line rewritten in place with carriage returns. */
        TTY,
        /** One line per report. */
        PLAIN,
        /** No progress output. */
        OFF
    }

    private final PrintWriter err;
    private final Mode mode;
    private int lastLength;

    private ProgressPrinter(PrintWriter err, Mode mode) {
        this.err = err;
        this.mode = mode;
    }

    /**
     * A printer for {@code mode}, resolving {@link Mode#AUTO} by looking at the process's stderr.
     *
     * @param err where progress goes (the process's stderr)
     */
    static ProgressPrinter create(Mode mode, PrintWriter err) {
        Mode resolved = mode == Mode.AUTO ? (stderrIsTerminal() ? Mode.TTY : Mode.PLAIN) : mode;
        return new ProgressPrinter(err, resolved);
    }

    /** Prints one report. */
    void report(String strategy, long elapsedSeconds, double readsPerSecond, double retiresPerSecond,
            long pendingBytes, long epoch) {
        if (mode == Mode.OFF) {
            return;
        }
        String line = String.format(Locale.ROOT,
                "%-8s %4d s  reads/s %8s  retires/s %8s  pending %10s  epoch %s",
                strategy, elapsedSeconds, Units.count(readsPerSecond), Units.count(retiresPerSecond),
                Units.bytes(pendingBytes), epoch < 0 ? "-" : Long.toString(epoch));
        if (mode == Mode.TTY) {
            // pad over the rest of a longer previous line; no ANSI codes needed
            err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
        } else {
            err.println(line);
        }
        err.flush();
    }

    /** Ends a run: moves past the rewritten line so that later output starts on a fresh line. */
    void finish() {
        if (mode == Mode.TTY && lastLength > 0) {
            err.println();
            err.flush();
            lastLength = 0;
        }
    }

    /**
     * Whether file descriptor 2 is a terminal. On Linux, {@code /proc/self/fd/2} names it exactly;
     * elsewhere the JDK only says whether the process has an interactive console (stdin and stdout).
     */
    static boolean stderrIsTerminal() {
        Path fd2 = Path.of("/proc/self/fd/2");
        if (Files.isSymbolicLink(fd2)) {
            try {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return false;
            }
        }
        Console console = System.console();
        return console != null && console.isTerminal();
    }
}
