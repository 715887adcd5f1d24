package dev.nexus.slab;

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
 * nexus-slab calls native code itself, so on the module path it needs its own
 * {@code --enable-native-access=dev.nexus.slab}: without it, under {@code --illegal-native-access=deny},
 * every build fails with an {@link IllegalCallerException} naming that flag (issue 10, item 11). Each
 * case forks a JVM running {@code SlabNativeAccessProbe}.
 */
class SlabNativeAccessTest {

    private static final String PROBE = "dev.nexus.slab.probe.SlabNativeAccessProbe";

    /** Module path, epoch granted, slab not: every build names --enable-native-access=dev.nexus.slab. */
    @Test
    void slabNeedsItsOwnFlagOnTheModulePath() throws Exception {
        List<String> lines = run("--enable-native-access=dev.nexus.epoch");
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("domain ok");
        assertThat(lines.subList(1, 3)).allSatisfy(line -> assertThat(line)
                .startsWith("java.lang.IllegalCallerException: ")
                .contains("--enable-native-access=dev.nexus.slab"));
    }

    /** Module path, both granted: the slab works under deny. */
    @Test
    void bothGrantedOnTheModulePath() throws Exception {
        assertThat(run("--enable-native-access=dev.nexus.epoch,dev.nexus.slab"))
                .containsExactly("domain ok", "ok", "ok");
    }

    private static List<String> run(String grant) throws IOException, InterruptedException {
        List<String> modules = new ArrayList<>();
        String classPath = System.getProperty("java.class.path");
        for (String entry : classPath.split(File.pathSeparator)) {
            if (new File(entry, "module-info.class").isFile() || entry.contains("jctools-core")
                    || entry.matches(".*nexus-epoch[^" + File.pathSeparator + "]*\\.jar")) {
                modules.add(entry);
            }
        }
        assertThat(modules).as("module path entries in %s", classPath).hasSize(3);
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process process = new ProcessBuilder(java, "--illegal-native-access=deny", grant,
                "--module-path", String.join(File.pathSeparator, modules),
                "--add-modules", "dev.nexus.epoch,dev.nexus.slab", "-cp", classPath, PROBE)
                .redirectErrorStream(true).start();
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
