package dev.skein.server;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A resource one test class shares, closed after its last test. Registered on a static field with
 * {@code @RegisterExtension}, it replaces a @BeforeAll/@AfterAll pair; JUnit initialises the class, and so creates
 * the resource, only when the class is about to run.
 */
record ClassScoped<T extends AutoCloseable>(T resource) implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        resource.close();
    }
}
