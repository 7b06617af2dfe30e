package dev.skein.store.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.skein.store.Store;
import dev.skein.store.Tx;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/** The SQL store: H2 in a file by default, PostgreSQL by URL; schema brought up to date by Flyway on open. */
public final class SqlStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(SqlStore.class);
    private static final int ATTEMPTS = 5;

    private final HikariDataSource pool;
    private final Jdbi jdbi;
    /** Tables of the migrated schema, read once: a resource whose table is absent has nothing to count. */
    private final Set<String> tables;

    private SqlStore(HikariDataSource pool) {
        this.pool = pool;
        this.jdbi = Jdbi.create(pool);
        this.tables = jdbi.withHandle(SqlStore::tables);
    }

    /**
     * The embedded database in dataDir/skein.mv.db. WRITE_DELAY=0 writes every commit to the file before the API
     * answers: with H2's default delay a killed server lost up to half a second of acknowledged creates, whose
     * addresses and MACs would then be handed out again while VMs still use them (docs/benchmarks.md).
     */
    public static SqlStore embedded(Path dataDir) {
        return open(embeddedUrl(dataDir), null, null);
    }

    static String embeddedUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("skein")
                + ";LOCK_TIMEOUT=10000;DB_CLOSE_ON_EXIT=FALSE;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"
                + ";WRITE_DELAY=0";
    }

    public static SqlStore open(String url, String user, String password) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(withFreshReads(url));
        if (user != null) cfg.setUsername(user);
        if (password != null) cfg.setPassword(password);
        cfg.setMaximumPoolSize(Math.max(8, Runtime.getRuntime().availableProcessors() * 4));
        cfg.setPoolName("skein-db");
        cfg.setExceptionOverrideClassName(KeepOnLockTimeout.class.getName());
        cfg.setAutoCommit(true);
        HikariDataSource ds = new HikariDataSource(cfg);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new SqlStore(ds);
    }

    /**
     * H2 2.2 reuses a query's previous result while the tables look unmodified since it was computed, but stamps
     * the result after taking its snapshot: a query that overlaps a commit can keep the pre-commit rows on its
     * connection until the table changes again (an agent's committed ACTIVE report stayed invisible to a client
     * polling the port for a minute). Reuse seldom applies to a store that is written to all the time, so
     * turning it off costs little.
     */
    static String withFreshReads(String url) {
        if (!url.startsWith("jdbc:h2:") || url.toUpperCase(Locale.ROOT).contains("OPTIMIZE_REUSE_RESULTS")) return url;
        return url + ";OPTIMIZE_REUSE_RESULTS=FALSE";
    }

    @Override
    public <T> T write(Function<Tx, T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                SqlTx[] committed = new SqlTx[1];
                T result = jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
                    SqlTx tx = new SqlTx(h, tables);
                    T r = work.apply(tx);
                    tx.beforeCommit();
                    committed[0] = tx;
                    return r;
                });
                committed[0].afterCommit();
                return result;
            } catch (RuntimeException e) {
                if (attempt >= ATTEMPTS || !SqlErrors.retryable(e)) throw SqlErrors.translate(e);
                LOG.debug("retrying transaction after {}", e.toString());
            }
        }
    }

    @Override
    public <T> T read(Function<Tx, T> work) {
        try {
            return jdbi.withHandle(h -> work.apply(new SqlTx(h, tables)));
        } catch (RuntimeException e) {
            throw SqlErrors.translate(e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    private static Set<String> tables(Handle h) {
        Set<String> out = new HashSet<>();
        var connection = h.getConnection();
        try (ResultSet rs = connection.getMetaData().getTables(connection.getCatalog(), connection.getSchema(), "%", null)) {
            while (rs.next()) out.add(rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list the tables of the database", e);
        }
        return Set.copyOf(out);
    }

    /** The first SQL state in the cause chain, or among what a failed cleanup suppressed (Jdbi adds the original there). */
    static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) return s.getSQLState();
            for (Throwable suppressed : t.getSuppressed()) {
                String state = sqlState(suppressed);
                if (state != null) return state;
            }
        }
        return null;
    }
}
