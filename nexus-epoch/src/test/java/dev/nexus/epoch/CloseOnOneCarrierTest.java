package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * {@code close()} waits for a reclaiming step held by a virtual thread by parking, not spinning: with
 * one carrier, a spinning closer would keep the holder (unmounted in a blocking deferred action)
 * from ever running again.
 */
class CloseOnOneCarrierTest {

    /**
     * A virtual thread runs a deferred action that sleeps while it holds the step; a virtual closer
     * on the only carrier must let it finish, then close (forked JVM, scheduler parallelism 1).
     */
    @Test
    void closerParksWhileTheStepHolderBlocks() throws Exception {
        String output = ForkedJvm.run(BlockingActionMain.class,
                "-Djdk.virtualThreadScheduler.parallelism=1", "-Djdk.virtualThreadScheduler.maxPoolSize=1");
        assertThat(output).contains("closed, action done");
    }

    /**
     * The second reproduction, two carriers and two virtual closers: the closers take turns
     * (the second parks for its turn), so neither carrier is held away from the step's holder.
     */
    @Test
    void twoClosersParkOnTwoCarriers() throws Exception {
        String output = ForkedJvm.run(BlockingActionMain.class,
                "-Djdk.virtualThreadScheduler.parallelism=2", "-Djdk.virtualThreadScheduler.maxPoolSize=2",
                "-Dnexus.test.closers=2");
        assertThat(output).contains("closed, action done");
    }

    /** The forked program: N carriers, a blocking deferred action, N virtual closers. */
    static final class BlockingActionMain {

        private BlockingActionMain() {
        }

        /**
         * Runs the scenario; exits 0 when the close returned.
         *
         * @param args unused
         * @throws Exception on failure
         */
        public static void main(String[] args) throws Exception {
            EpochDomain domain = EpochDomain.builder().name("one-carrier").reclaimInline(true).build();
            CountDownLatch inAction = new CountDownLatch(1);
            CountDownLatch actionDone = new CountDownLatch(1);
            domain.defer(() -> {
                inAction.countDown();
                try {
                    Thread.sleep(Duration.ofMillis(300)); // unmounts while it holds the step
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                actionDone.countDown();
            });
            Thread driver = Thread.ofVirtual().start(() -> {
                try {
                    domain.barrier(); // runs the step, and so the action
                } catch (IllegalStateException closedMeanwhile) {
                    // the closer may close the domain before the barrier's marker runs
                }
            });
            inAction.await();
            List<Thread> closers = new ArrayList<>();
            for (int i = 0; i < Integer.getInteger("nexus.test.closers", 1); i++) {
                closers.add(Thread.ofVirtual().start(domain::close));
            }
            for (Thread closer : closers) {
                closer.join();
            }
            driver.join();
            if (actionDone.getCount() == 0 && domain.isClosed()) {
                System.out.println("closed, action done");
            }
        }
    }
}
