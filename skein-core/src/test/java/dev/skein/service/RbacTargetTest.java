package dev.skein.service;

import dev.skein.attr.Attributes;
import dev.skein.error.NeutronException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RbacTargetTest {
    @Test
    void aTargetIsAProjectIdOrEveryProject() {
        assertEquals("*", target(Map.of("target_tenant", "*")));
        assertEquals("0f3c2a9be5d54ad7a2c1b7f2d6e4c3a1", target(Map.of("target_tenant", "0f3c2a9be5d54ad7a2c1b7f2d6e4c3a1")));
        assertEquals("0F3C2A9B-E5D5-4AD7-A2C1-B7F2D6E4C3A1", target(Map.of("target_project", "0F3C2A9B-E5D5-4AD7-A2C1-B7F2D6E4C3A1")));
        assertNull(target(Map.of()));
    }

    @Test
    void namesAndOtherStringsAreRefused() {
        for (String bad : new String[]{"demo", "", "**", "0f3c2a9be5d54ad7a2c1b7f2d6e4c3a", "0f3c2a9be5d54ad7a2c1b7f2d6e4c3a1x"}) {
            NeutronException e = assertThrows(NeutronException.class, () -> target(Map.of("target_tenant", bad)), bad);
            assertEquals(400, e.status());
        }
        assertEquals("Invalid input for operation: 'demo' is not a valid target project ID; expected a UUID or '*'",
                assertThrows(NeutronException.class, () -> target(Map.of("target_tenant", "demo"))).getMessage());
    }

    @Test
    void bothNamesMayBeGivenIfTheyAgree() {
        String id = "0f3c2a9be5d54ad7a2c1b7f2d6e4c3a1";
        assertEquals(id, target(Map.of("target_tenant", id, "target_project", id)));
        assertThrows(NeutronException.class, () -> target(Map.of("target_tenant", id, "target_project", "*")));
    }

    private static String target(Map<String, Object> body) {
        return RbacService.target(Attributes.of(body, RbacService.CREATE));
    }
}
