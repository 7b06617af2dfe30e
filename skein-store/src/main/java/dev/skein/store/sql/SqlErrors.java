package dev.skein.store.sql;

import dev.skein.error.NeutronException;

/** Database failures as the API should report them. */
final class SqlErrors {
    static final String UNIQUE_VIOLATION = "23505";
    static final String STRING_TOO_LONG = "22001";
    static final String NUMBER_OUT_OF_RANGE = "22003";

    private SqlErrors() {}

    /** Deadlocks, serialisation failures and lock time-outs go away when the transaction is simply run again. */
    static boolean retryable(RuntimeException e) {
        String state = SqlStore.sqlState(e);
        return state != null && (state.equals("40001") || state.equals("40P01") || state.equals("HYT00"));
    }

    /**
     * A constraint the application did not check first can still fire when two requests race; the loser gets
     * 409 and its transaction is rolled back in full.
     */
    static RuntimeException translate(RuntimeException e) {
        if (e instanceof NeutronException) return e;
        String state = SqlStore.sqlState(e);
        if (state != null && state.startsWith("23")) {
            return NeutronException.conflict("Conflict",
                    "The request conflicts with a concurrent change to the same resources; retry it.");
        }
        // Values come from the request, so one that does not fit its column is the caller's to shorten.
        if (STRING_TOO_LONG.equals(state) || NUMBER_OUT_OF_RANGE.equals(state)) {
            return NeutronException.invalidInput("a value in the request is too large to be stored");
        }
        return e;
    }
}
