package dev.skein.store;

import java.util.function.Function;

/**
 * Where intent is kept. Every API write runs in exactly one {@link #write} transaction: if the work throws,
 * nothing it did is kept.
 */
public interface Store extends AutoCloseable {
    <T> T write(Function<Tx, T> work);

    <T> T read(Function<Tx, T> work);

    @Override
    void close();
}
