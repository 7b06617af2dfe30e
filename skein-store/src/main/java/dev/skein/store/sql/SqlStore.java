package dev.skein.store.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.skein.store.Store;
import dev.skein.store.Tx;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.function.Function;

/** The SQL store: H2 in a file by default, PostgreSQL by URL; schema brought up to date by Flyway on open. */
public final class SqlStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(SqlStore.class);
    private static final int ATTEMPTS = 5;

    private final HikariDataSource pool;
    private final Jdbi jdbi;

    private SqlStore(HikariDataSource pool) {
        this.pool = pool;
        this.jdbi = Jdbi.create(pool);
    }

    /** The embedded database in dataDir/skein.mv.db. */
    public static SqlStore embedded(Path dataDir) {
        String url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("skein")
                + ";LOCK_TIMEOUT=10000;DB_CLOSE_ON_EXIT=FALSE;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        return open(url, null, null);
    }

    public static SqlStore open(String url, String user, String password) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        if (user != null) cfg.setUsername(user);
        if (password != null) cfg.setPassword(password);
        cfg.setMaximumPoolSize(Math.max(8, Runtime.getRuntime().availableProcessors() * 4));
        cfg.setPoolName("skein-db");
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

    @Override
    public <T> T write(Function<Tx, T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                SqlTx[] committed = new SqlTx[1];
                T result = jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
                    SqlTx tx = new SqlTx(h);
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
            return jdbi.withHandle(h -> work.apply(new SqlTx(h)));
        } catch (RuntimeException e) {
            throw SqlErrors.translate(e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) return s.getSQLState();
        }
        return null;
    }
}
