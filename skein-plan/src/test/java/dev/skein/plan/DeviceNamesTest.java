package dev.skein.plan;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceNamesTest {
    static final String ID = "3f2a9c1e-4a5b-4c6d-8e7f-0123456789ab";

    @Test
    void namesFitTheKernelLimit() {
        assertEquals("skbr-3f2a9c1e4a", DeviceNames.bridge(ID));
        assertEquals("skvx-3f2a9c1e4a", DeviceNames.vxlan(ID));
        assertEquals("skvl-3f2a9c1e4a", DeviceNames.vlan(ID));
        assertEquals("tap3f2a9c1e-4a", DeviceNames.tap(ID));
        for (String name : new String[] {DeviceNames.bridge(ID), DeviceNames.vxlan(ID), DeviceNames.tap(ID)}) {
            assertTrue(name.length() <= DeviceNames.MAX_LENGTH, name);
        }
        assertEquals("tapab", DeviceNames.tap("ab"));
    }

    @Test
    void ownershipIsByPrefixOnly() {
        assertTrue(DeviceNames.owned("skbr-3f2a9c1e4a"));
        assertTrue(DeviceNames.owned("skvx-anything"));
        assertFalse(DeviceNames.owned("tap3f2a9c1e-4a"));
        assertFalse(DeviceNames.owned("eth0"));
        assertFalse(DeviceNames.owned("br-ex"));
    }

    @Test
    void idsThatCouldInjectIntoBatchInputAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> DeviceNames.bridge("abc\nlink del eth0"));
        assertThrows(IllegalArgumentException.class, () -> DeviceNames.tap("a b"));
        assertThrows(IllegalArgumentException.class, () -> DeviceNames.tap("---"));
        assertThrows(IllegalArgumentException.class, () -> DeviceNames.bridge(null));
    }
}
