package dev.skein.store;

/**
 * State attached to one transaction (see {@link Tx#attach}) that takes part in its end: beforeCommit may still
 * write in the transaction; afterCommit runs only once the transaction has committed, never after a rollback, and
 * its failures do not undo the commit.
 */
public interface TxListener {
    default void beforeCommit(Tx tx) {}

    default void afterCommit() {}
}
