package dev.skein.ipam;

import dev.skein.error.NeutronException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;

import static dev.skein.error.NeutronErrors.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MacAddressesTest {

    @Test
    void normalizesCaseSeparatorsAndWhitespace() {
        assertEquals("fa:16:3e:ab:cd:ef", MacAddresses.normalize("FA:16:3E:AB:CD:EF"));
        assertEquals("fa:16:3e:ab:cd:ef", MacAddresses.normalize("fa-16-3e-ab-cd-ef"));
        assertEquals("fa:16:3e:ab:cd:ef", MacAddresses.normalize(" fa:16:3e:ab:cd:ef\t"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"00:00:00:00:00:00", "fa:16:3e:ab:cd", "fa:16:3e:ab:cd:ef:01", "fa16.3eab.cdef", "fa163eabcdef",
            "fa:16:3e:ab:cd:eg", "f:16:3e:ab:cd:ef", "fa:16:3e:ab:cd:ef:", "fa_16_3e_ab_cd_ef"})
    void notAMac(String text) {
        assertNull(MacAddresses.normalize(text), text);
    }

    @Test
    void requireValidReturnsTheNormalizedForm() {
        assertEquals("fa:16:3e:00:00:01", MacAddresses.requireValid("FA-16-3E-00-00-01"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "33:33:00:00:00:01", "00:00:00:00:00:00", "nonsense"})
    void requireValidRefusesMulticastZeroAndJunkInNeutronWording(String text) {
        NeutronException e = expect(400, "HTTPBadRequest", () -> MacAddresses.requireValid(text));
        assertEquals("Invalid input for mac_address. Reason: '" + text + "' is not a valid MAC address", e.getMessage());
    }

    @Test
    void requireValidRefusesNull() {
        expect(400, "HTTPBadRequest", () -> MacAddresses.requireValid(null));
    }

    @Test
    void generatedMacsKeepTheOpenstackPrefixAndAreValidUnicast() {
        Random rnd = new Random(42);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            String mac = MacAddresses.generate("fa:16:3e:00:00:00", rnd);
            assertTrue(mac.startsWith("fa:16:3e:"), mac);
            assertEquals(mac, MacAddresses.requireValid(mac));
            seen.add(mac);
        }
        assertTrue(seen.size() > 1990, "random tails should rarely repeat, got " + seen.size() + " distinct");
    }

    @Test
    void nonZeroFourthAndFifthOctetsAreKept() {
        Random rnd = new Random(1);
        for (int i = 0; i < 200; i++) {
            assertTrue(MacAddresses.generate("fa:16:3e:4a:00:00", rnd).startsWith("fa:16:3e:4a:"));
            assertTrue(MacAddresses.generate("fa:16:3e:4a:5b:00", rnd).startsWith("fa:16:3e:4a:5b:"));
        }
    }

    @Test
    void atLeastTheLastOctetIsAlwaysRandom() {
        Random rnd = new Random(2);
        Set<String> tails = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String mac = MacAddresses.generate("fa:16:3e:4a:5b:6c", rnd);
            assertTrue(mac.startsWith("fa:16:3e:4a:5b:"), mac);
            tails.add(mac.substring(15));
        }
        assertTrue(tails.size() > 1, "the last octet must vary");
    }

    @Test
    void atLeastThreeOctetsAreFixedEvenIfTheBaseHasFewerNonZero() {
        Random rnd = new Random(3);
        for (int i = 0; i < 200; i++) {
            assertTrue(MacAddresses.generate("02:00:00:00:00:00", rnd).startsWith("02:00:00:"));
        }
    }

    @Test
    void sameSeedSameMac() {
        assertEquals(MacAddresses.generate("fa:16:3e:00:00:00", new Random(7)),
                MacAddresses.generate("fa:16:3e:00:00:00", new Random(7)));
    }

    @Test
    void generatedMacIsSixLowerCaseOctets() {
        String mac = MacAddresses.generate("FA:16:3E:00:00:00", new Random(5));
        assertEquals(6, HexFormat.ofDelimiter(":").parseHex(mac).length);
        assertEquals(mac.toLowerCase(), mac);
        assertTrue(mac.startsWith("fa:16:3e:"));
    }

    @Test
    void validBases() {
        MacAddresses.requireValidBase("fa:16:3e:00:00:00");
        MacAddresses.requireValidBase("02:00:00:00:00:00");
    }

    @ParameterizedTest
    @ValueSource(strings = {"01:00:5e:00:00:00", "fb:16:3e:00:00:00", "00:00:00:00:00:00", "fa:16:3e", "junk"})
    void invalidBases(String base) {
        assertThrows(IllegalArgumentException.class, () -> MacAddresses.requireValidBase(base));
    }

    @Test
    void aBaseThatPassesValidationCanBeGeneratedFrom() {
        // Whatever requireValidBase lets through at start-up must not fail later, on every port create.
        for (String base : new String[]{"FA-16-3E-00-00-00", " fa:16:3e:00:00:00 ", "fa-16-3e-4a-00-00"}) {
            MacAddresses.requireValidBase(base);
            String mac = MacAddresses.generate(base, new Random(9));
            assertNotNull(MacAddresses.normalize(mac), mac);
            assertTrue(mac.startsWith("fa:16:3e:"), base + " -> " + mac);
        }
    }

    @Test
    void multicastBaseWithWhitespaceIsStillRecognisedAsMulticast() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MacAddresses.requireValidBase(" 01:00:5e:00:00:00"));
        assertTrue(e.getMessage().contains("multicast"), e.getMessage());
    }
}
