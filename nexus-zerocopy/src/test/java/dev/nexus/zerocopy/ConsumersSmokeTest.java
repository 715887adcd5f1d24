package dev.nexus.zerocopy;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.junit.jupiter.api.Test;

/** The real consumers of this module load on the test class path with the surefire flags of the pom. */
class ConsumersSmokeTest {

    /** Arrow Java 19 allocates and reads a vector (needs --add-opens java.nio and an SLF4J binding). */
    @Test
    void arrowJavaLoads() {
        try (BufferAllocator allocator = new RootAllocator();
             BigIntVector vector = new BigIntVector("x", allocator)) {
            vector.allocateNew(3);
            vector.set(0, 7);
            vector.set(2, 9);
            vector.setValueCount(3);
            assertThat(vector.get(0) + vector.get(2)).isEqualTo(16);
            assertThat(vector.isNull(1)).isTrue();
        }
    }

    /** DuckDB JDBC loads its native library and answers a query on an in-memory database. */
    @Test
    void duckDbLoads() throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT sum(i) FROM range(10) t(i)")) {
            assertThat(result.next()).isTrue();
            assertThat(result.getLong(1)).isEqualTo(45);
        }
    }
}
