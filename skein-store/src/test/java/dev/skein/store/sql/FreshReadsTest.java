package dev.skein.store.sql;

import org.h2.api.Trigger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A read that starts after a write has committed sees that write, also on a connection whose previous run of the
 * same query overlapped the commit. H2 2.2 reuses a query's last result while the tables look unmodified, and it
 * stamps that result after taking the query's snapshot: a run whose snapshot predates a commit but whose stamp
 * follows it left the old rows behind, answered again to every later run on that connection until the table next
 * changed. That is how an agent's committed ACTIVE report stayed invisible to a client polling the port.
 */
class FreshReadsTest {
    private static final String QUERY = "SELECT n FROM counters WHERE id = ?";

    @Test
    void aQueryThatOverlapsACommitLeavesNoStaleResultBehind(@TempDir Path dir) throws Exception {
        String url = SqlStore.withFreshReads(SqlStore.embeddedUrl(dir));
        try (Connection reader = DriverManager.getConnection(url); Connection writer = DriverManager.getConnection(url)) {
            writer.createStatement().execute("CREATE TABLE counters (id VARCHAR(8) PRIMARY KEY, n INT NOT NULL)");
            writer.createStatement().execute("INSERT INTO counters VALUES ('x', 0)");
            writer.createStatement().execute("CREATE TRIGGER hold BEFORE SELECT ON counters CALL \"" + HoldOneSelect.class.getName() + "\"");
            assertEquals(0, read(reader));

            // The reader's next run takes its snapshot, then waits in the trigger while the writer commits.
            HoldOneSelect.arm();
            CompletableFuture<Integer> overlapping = CompletableFuture.supplyAsync(() -> read(reader));
            assertTrue(HoldOneSelect.entered.await(10, TimeUnit.SECONDS), "the reader's query reached the trigger");
            writer.createStatement().execute("UPDATE counters SET n = 1 WHERE id = 'x'");
            HoldOneSelect.release.countDown();
            overlapping.get(10, TimeUnit.SECONDS);

            assertEquals(1, read(reader), "a query started after the commit sees it");
        }
    }

    @Test
    void everyH2UrlAsksForFreshReads() {
        assertEquals("jdbc:h2:mem:a;MODE=PostgreSQL;OPTIMIZE_REUSE_RESULTS=FALSE", SqlStore.withFreshReads("jdbc:h2:mem:a;MODE=PostgreSQL"));
        assertEquals("jdbc:h2:mem:a;optimize_reuse_results=TRUE", SqlStore.withFreshReads("jdbc:h2:mem:a;optimize_reuse_results=TRUE"));
        assertEquals("jdbc:postgresql://db/skein", SqlStore.withFreshReads("jdbc:postgresql://db/skein"));
    }

    private static int read(Connection c) {
        try (PreparedStatement ps = c.prepareStatement(QUERY)) {
            ps.setString(1, "x");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Holds the first SELECT after arm() until released, after its snapshot was taken and before it runs. */
    public static final class HoldOneSelect implements Trigger {
        static final CountDownLatch entered = new CountDownLatch(1);
        static final CountDownLatch release = new CountDownLatch(1);
        private static final AtomicBoolean armed = new AtomicBoolean();

        static void arm() { armed.set(true); }

        @Override
        public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
            if (!armed.compareAndSet(true, false)) return;
            entered.countDown();
            try {
                if (!release.await(10, TimeUnit.SECONDS)) throw new SQLException("never released");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException(e);
            }
        }
    }
}
