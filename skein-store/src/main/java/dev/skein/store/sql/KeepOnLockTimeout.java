package dev.skein.store.sql;

import com.zaxxer.hikari.SQLExceptionOverride;

import java.sql.SQLException;

/**
 * HikariCP evicts a connection on any SQLTimeoutException, but a lock wait that timed out (H2's HYT00) leaves the
 * connection healthy. Evicting it closes the connection under the transaction, so the rollback fails and the
 * retry that SqlStore.write would do for a lock time-out never happens.
 */
public final class KeepOnLockTimeout implements SQLExceptionOverride {
    @java.lang.Override
    public Override adjudicate(SQLException e) {
        return "HYT00".equals(e.getSQLState()) ? Override.DO_NOT_EVICT : Override.CONTINUE_EVICT;
    }
}
