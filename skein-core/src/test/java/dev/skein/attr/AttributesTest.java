package dev.skein.attr;

import dev.skein.error.NeutronException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.skein.error.NeutronErrors.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttributesTest {

    /** A request body; JSON null is a real value here, which Map.of cannot hold. */
    private static Attributes body(Object... keysAndValues) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return Attributes.of(m, m.keySet());
    }

    private static Attributes one(Object value) { return body("x", value); }

    @Test
    void unknownAttributesAreRefusedAndNamedInOrder() {
        Map<String, Object> m = Map.of("name", "n", "zeta", 1, "alpha", 2);
        NeutronException e = expect(400, "HTTPBadRequest", () -> Attributes.of(m, Set.of("name", "description")));
        assertEquals("Unrecognized attribute(s) 'alpha, zeta'", e.getMessage());
    }

    @Test
    void acceptedSubsetAndEmptyBodyAreFine() {
        assertTrue(Attributes.of(Map.of("name", "n"), Set.of("name", "description")).has("name"));
        assertFalse(Attributes.of(Map.of(), Set.of("name")).has("name"));
    }

    @Test
    void absentAndExplicitNullAreDifferent() {
        Attributes a = body("gateway_ip", null);
        assertTrue(a.has("gateway_ip"));
        assertTrue(a.isNull("gateway_ip"));
        assertFalse(a.has("cidr"));
        assertFalse(a.isNull("cidr"));
        assertFalse(body("gateway_ip", "10.0.0.1").isNull("gateway_ip"));
    }

    @Test
    void strings() {
        assertEquals("dflt", body().string("x", "dflt"));
        assertNull(one(null).string("x", "dflt"));
        assertEquals("", one("").string("x", "dflt"));
        assertEquals("v", one("v").string("x", "dflt"));
    }

    @Test
    void nonStringIsRefused() {
        NeutronException e = expect(400, "HTTPBadRequest", () -> body("name", 5).string("name", null));
        assertEquals("Invalid input for name. Reason: '5' is not a valid string", e.getMessage());
        expect(400, "HTTPBadRequest", () -> body("name", List.of("a")).string("name", null));
        expect(400, "HTTPBadRequest", () -> body("name", true).string("name", null));
    }

    @Test
    void textHasADefaultAndABound() {
        assertEquals("", body().text("name", "", 255));
        assertEquals("x".repeat(255), body("name", "x".repeat(255)).text("name", "", 255));
        NeutronException tooLong = expect(400, "HTTPBadRequest", () -> body("name", "x".repeat(256)).text("name", "", 255));
        assertEquals("Invalid input for name. Reason: '" + "x".repeat(256) + "' exceeds maximum length of 255", tooLong.getMessage());
    }

    @Test
    void textMayNotBeNull() {
        NeutronException e = expect(400, "HTTPBadRequest", () -> body("description", null).text("description", "", 255));
        assertEquals("Invalid input for description. Reason: 'None' is not a valid string", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "True", "TRUE", "1"})
    void stringsThatMeanTrue(String s) {
        assertTrue(one(s).bool("x", false));
        assertEquals(Boolean.TRUE, Attributes.toBoolean(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "False", "FALSE", "0"})
    void stringsThatMeanFalse(String s) {
        assertFalse(one(s).bool("x", true));
        assertEquals(Boolean.FALSE, Attributes.toBoolean(s));
    }

    @Test
    void jsonBooleansAndZeroOrOne() {
        assertTrue(one(true).bool("x", false));
        assertFalse(one(false).bool("x", true));
        assertTrue(one(1).bool("x", false));
        assertFalse(one(0).bool("x", true));
        assertTrue(one(1L).bool("x", false));
        assertFalse(one(0L).bool("x", true));
    }

    @Test
    void absentBooleanTakesTheDefault() {
        assertTrue(body().bool("x", true));
        assertFalse(body().bool("x", false));
    }

    @Test
    void wordsOtherThanTrueAndFalseAreNotBooleans() {
        for (String s : new String[]{"yes", "no", "on", "t", "", " true", "2"}) {
            NeutronException e = expect(400, "HTTPBadRequest", () -> body("shared", s).bool("shared", false));
            assertEquals("Invalid input for shared. Reason: '" + s + "' cannot be converted to boolean", e.getMessage());
            assertNull(Attributes.toBoolean(s), s);
        }
    }

    @Test
    void nullAndOtherTypesAreNotBooleans() {
        for (Object v : Arrays.asList(null, List.of(true), Map.of("a", true))) {
            expect(400, "HTTPBadRequest", () -> one(v).bool("x", false));
            assertNull(Attributes.toBoolean(v));
        }
    }

    @Test
    void onlyTheIntegersZeroAndOneAreBooleans() {
        // Truncating to int would read 0.5 as false, 1.9 as true and 2^32 as false.
        for (Object v : new Object[]{2, -1, 0.5, 1.9, 1.0, 0.0, 4_294_967_296L, 4_294_967_297L, Long.MIN_VALUE}) {
            expect(400, "HTTPBadRequest", () -> one(v).bool("x", false));
            assertNull(Attributes.toBoolean(v), v + " (" + v.getClass().getSimpleName() + ")");
        }
    }

    @Test
    void integers() {
        assertNull(body().integer("mtu"));
        assertNull(body("mtu", null).integer("mtu"));
        assertEquals(1450, body("mtu", 1450).integer("mtu"));
        assertEquals(-3, body("mtu", -3).integer("mtu"));
        assertEquals(1450, body("mtu", 1450L).integer("mtu"));
        assertEquals(Integer.MAX_VALUE, body("mtu", (long) Integer.MAX_VALUE).integer("mtu"));
        assertEquals(Integer.MIN_VALUE, body("mtu", (long) Integer.MIN_VALUE).integer("mtu"));
    }

    @Test
    void integersGivenAsStrings() {
        assertEquals(4, body("ip_version", "4").integer("ip_version"));
        assertEquals(6, body("ip_version", " 6 ").integer("ip_version"));
        assertEquals(-7, body("ip_version", "-7").integer("ip_version"));
    }

    @Test
    void notIntegers() {
        for (Object v : new Object[]{"4x", "", "four", "4.0", 4.5, true, List.of(4), 1L << 31, -(1L << 31) - 1, "99999999999"}) {
            NeutronException e = expect(400, "HTTPBadRequest", () -> body("ip_version", v).integer("ip_version"));
            assertEquals("Invalid input for ip_version. Reason: '" + v + "' is not an integer", e.getMessage());
        }
    }

    @Test
    void stringLists() {
        assertNull(body().stringList("tags"));
        assertEquals(List.of(), body("tags", null).stringList("tags"));
        assertEquals(List.of(), body("tags", List.of()).stringList("tags"));
        assertEquals(List.of("b", "a", "b"), body("tags", List.of("b", "a", "b")).stringList("tags"));
    }

    @Test
    void stringListIsACopy() {
        List<Object> raw = new ArrayList<>(List.of("a"));
        List<String> got = body("tags", raw).stringList("tags");
        raw.add("b");
        assertEquals(List.of("a"), got);
    }

    @Test
    void badStringLists() {
        NeutronException notList = expect(400, "HTTPBadRequest", () -> body("tags", "a,b").stringList("tags"));
        assertEquals("Invalid input for tags. Reason: 'a,b' is not a list", notList.getMessage());
        NeutronException notString = expect(400, "HTTPBadRequest", () -> body("tags", List.of("a", 7)).stringList("tags"));
        assertEquals("Invalid input for tags. Reason: '7' is not a valid string", notString.getMessage());
        expect(400, "HTTPBadRequest", () -> body("tags", Arrays.asList("a", null)).stringList("tags"));
    }

    @Test
    void objectLists() {
        assertNull(body().objectList("fixed_ips"));
        assertEquals(List.of(), body("fixed_ips", null).objectList("fixed_ips"));
        List<Map<String, Object>> ips = List.of(Map.of("subnet_id", "s"), Map.of("ip_address", "10.0.0.3"));
        assertEquals(ips, body("fixed_ips", ips).objectList("fixed_ips"));
        NeutronException notDict = expect(400, "HTTPBadRequest", () -> body("fixed_ips", List.of("10.0.0.3")).objectList("fixed_ips"));
        assertEquals("Invalid input for fixed_ips. Reason: '10.0.0.3' is not a dictionary", notDict.getMessage());
        expect(400, "HTTPBadRequest", () -> body("fixed_ips", Map.of("subnet_id", "s")).objectList("fixed_ips"));
    }

    @Test
    void objects() {
        assertNull(body().object("binding:profile"));
        assertNull(body("binding:profile", null).object("binding:profile"));
        assertEquals(Map.of("k", "v"), body("binding:profile", Map.of("k", "v")).object("binding:profile"));
        NeutronException e = expect(400, "HTTPBadRequest", () -> body("binding:profile", "k=v").object("binding:profile"));
        assertEquals("Invalid input for binding:profile. Reason: 'k=v' is not a dictionary", e.getMessage());
    }
}
