package dev.skein.error;

import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Asserts the status and NeutronError type a call fails with, which is what API clients act on. */
public final class NeutronErrors {
    private NeutronErrors() {}

    public static NeutronException expect(int status, String type, Executable call) {
        NeutronException e = assertThrows(NeutronException.class, call);
        assertEquals(type, e.type(), () -> "type of: " + e.getMessage());
        assertEquals(status, e.status(), () -> "status of: " + e.getMessage());
        return e;
    }
}
