package dev.skein.service;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class QuotaSettingsTest {
    @Test
    void everyResourceNeedsAValidDefault() {
        Map<String, Integer> d = all(7);
        d.remove("router");
        assertThrows(IllegalArgumentException.class, () -> new QuotaSettings(d));
        Map<String, Integer> extra = all(7);
        extra.put("widgets", 1);
        assertThrows(IllegalArgumentException.class, () -> new QuotaSettings(extra));
        Map<String, Integer> negative = all(7);
        negative.put("port", -2);
        assertThrows(IllegalArgumentException.class, () -> new QuotaSettings(negative));
    }

    @Test
    void defaultsKeepOneOrder() {
        Map<String, Integer> d = all(0);
        d.put("port", -1);
        QuotaSettings s = new QuotaSettings(d);
        assertEquals(List.copyOf(QuotaSettings.RESOURCES), List.copyOf(s.defaults().keySet()));
        assertEquals(-1, s.defaultOf("port"));
        assertThrows(UnsupportedOperationException.class, () -> s.defaults().put("port", 3));
    }

    private static Map<String, Integer> all(int limit) {
        Map<String, Integer> d = new HashMap<>();
        for (String r : QuotaSettings.RESOURCES) d.put(r, limit);
        return d;
    }
}
