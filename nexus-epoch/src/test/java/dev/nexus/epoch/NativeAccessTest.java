package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Under {@code --illegal-native-access=deny} without the flag, every attempt to use Nexus fails with
 * an {@link IllegalCallerException} that names the module and the exact flag (issue 10, item 11);
 * with the flag it works. Each case forks a JVM running {@code NativeAccessProbe}.
 */
class NativeAccessTest {

    private static final String PROBE = "dev.nexus.epoch.probe.NativeAccessProbe";

    /** On the class path: every attempt names --enable-native-access=ALL-UNNAMED, not just the first. */
    @Test
    void deniedOnTheClassPath() throws Exception {
        List<String> lines = run(List.of("--illegal-native-access=deny", "-cp", classPath(), PROBE));
        assertThat(lines).hasSize(4).allSatisfy(line -> assertThat(line)
                .startsWith("java.lang.IllegalCallerException: ")
                .contains("--enable-native-access=ALL-UNNAMED")
                .contains("dev.nexus.epoch"));
    }

    /** On the class path with the flag, under deny, everything works. */
    @Test
    void grantedOnTheClassPath() throws Exception {
        List<String> lines = run(List.of("--illegal-native-access=deny", "--enable-native-access=ALL-UNNAMED",
                "-cp", classPath(), PROBE));
        assertThat(lines).containsExactly("ok", "ok", "ok", "ok");
    }

    /** On the module path: every attempt names --enable-native-access=dev.nexus.epoch; with it, all works. */
    @Test
    void moduleNameOnTheModulePath() throws Exception {
        String modulePath = String.join(File.pathSeparator, moduleEntries());
        List<String> denied = run(List.of("--illegal-native-access=deny", "--module-path", modulePath,
                "--add-modules", "dev.nexus.epoch", "-cp", classPath(), PROBE));
        assertThat(denied).hasSize(4).allSatisfy(line -> assertThat(line)
                .startsWith("java.lang.IllegalCallerException: ")
                .contains("--enable-native-access=dev.nexus.epoch"));
        List<String> granted = run(List.of("--illegal-native-access=deny", "--enable-native-access=dev.nexus.epoch",
                "--module-path", modulePath, "--add-modules", "dev.nexus.epoch", "-cp", classPath(), PROBE));
        assertThat(granted).containsExactly("ok", "ok", "ok", "ok");
    }

    private static String classPath() {
        return System.getProperty("java.class.path");
    }

    /** nexus-epoch's classes (a module: they hold module-info.class) and the JCTools jar. */
    private static List<String> moduleEntries() {
        List<String> entries = new ArrayList<>();
        for (String entry : classPath().split(File.pathSeparator)) {
            if (new File(entry, "module-info.class").isFile() || entry.contains("jctools-core")) {
                entries.add(entry);
            }
        }
        assertThat(entries).as("module path entries in %s", classPath()).hasSize(2);
        return entries;
    }

    private static List<String> run(List<String> args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean finished = process.waitFor(TestThreads.LONG.toSeconds(), TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(finished).as("forked JVM finished: %s", output).isTrue();
        assertThat(process.exitValue()).as("exit status, output: %s", output).isZero();
        return Arrays.stream(output.split("\\R")).filter(line -> !line.isBlank()).toList();
    }
}
