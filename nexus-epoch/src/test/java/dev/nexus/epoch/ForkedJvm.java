package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a test's {@code main} class in a fresh JVM with extra options (scheduler settings, flags). */
final class ForkedJvm {

    private ForkedJvm() {
    }

    /**
     * Runs {@code main} in a new JVM on this test's class path with {@code options}, and returns its
     * output; fails if it does not exit with status 0 within {@link TestThreads#SHORT} (the process is
     * then killed and its output shown).
     */
    static String run(Class<?> main, String... options) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, "-ea", "--enable-native-access=ALL-UNNAMED"));
        command.addAll(List.of(options));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        Path log = Files.createTempFile("nexus-forked-", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            boolean exited = process.waitFor(TestThreads.SHORT.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(exited).as("forked %s did not finish within %s; output:%n%s", main.getSimpleName(),
                    TestThreads.SHORT, output).isTrue();
            assertThat(process.exitValue()).as("exit status of %s; output:%n%s", main.getSimpleName(), output)
                    .isZero();
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
