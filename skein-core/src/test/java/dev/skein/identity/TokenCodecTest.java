package dev.skein.identity;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenCodecTest {
    private static final Instant ISSUED = Instant.parse("2024-05-01T10:00:00Z");
    private static final Instant EXPIRES = ISSUED.plus(Duration.ofHours(1));

    private static byte[] key(int fill) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) fill);
        return k;
    }

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        Instant now = ISSUED;

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    private final TestClock clock = new TestClock();
    private final TokenCodec codec = new TokenCodec(key(7), clock);

    private static Token scoped() {
        return new Token("u-1", "alice", "p-1", "demo", List.of("member", "reader"), ISSUED, EXPIRES, List.of("password"));
    }

    @Test
    void keyMustHaveAtLeast256Bits() {
        assertThrows(IllegalArgumentException.class, () -> new TokenCodec(new byte[31], clock));
        new TokenCodec(new byte[32], clock);
    }

    @Test
    void roundTrip() {
        String text = codec.encode(scoped());
        assertTrue(text.startsWith("skn1."), text);
        assertEquals(Optional.of(scoped()), codec.decode(text));
        assertTrue(codec.decode(text).orElseThrow().scoped());
    }

    @Test
    void tokenTextIsHeaderSafe() {
        String text = codec.encode(scoped());
        assertTrue(text.matches("skn1\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"), text);
    }

    @Test
    void unscopedTokenRoundTrips() {
        Token t = new Token("u-1", "alice", null, null, List.of(), ISSUED, EXPIRES, List.of("password", "token"));
        Token back = codec.decode(codec.encode(t)).orElseThrow();
        assertEquals(t, back);
        assertFalse(back.scoped());
    }

    @Test
    void nonAsciiNamesRoundTrip() {
        Token t = new Token("u-2", "zoë", "p-2", "équipe-网络", List.of("admin"), ISSUED, EXPIRES, List.of("password"));
        assertEquals(Optional.of(t), codec.decode(codec.encode(t)));
    }

    @Test
    void validUntilTheExpiryInstant() {
        String text = codec.encode(scoped());
        clock.now = EXPIRES.minusSeconds(1);
        assertTrue(codec.decode(text).isPresent());
        clock.now = EXPIRES;
        assertEquals(Optional.empty(), codec.decode(text));
        clock.now = EXPIRES.plus(Duration.ofDays(365));
        assertEquals(Optional.empty(), codec.decode(text));
    }

    @Test
    void anotherKeyDoesNotAccept() {
        String text = codec.encode(scoped());
        assertEquals(Optional.empty(), new TokenCodec(key(8), clock).decode(text));
        assertTrue(new TokenCodec(key(7), clock).decode(text).isPresent(), "the same key, e.g. after a restart, does");
    }

    @Test
    void changedClaimsWithTheOldSignatureAreRejected() {
        String text = codec.encode(scoped());
        String[] parts = text.substring(5).split("\\.");
        byte[] payload = Base64.getUrlDecoder().decode(parts[0]);
        String claims = new String(payload, StandardCharsets.ISO_8859_1);
        // Promote the member to admin, keeping the length so the payload still parses.
        byte[] forged = claims.replace("member", "admin!").getBytes(StandardCharsets.ISO_8859_1);
        assertNotEquals(claims, new String(forged, StandardCharsets.ISO_8859_1));
        String tampered = "skn1." + Base64.getUrlEncoder().withoutPadding().encodeToString(forged) + "." + parts[1];
        assertEquals(Optional.empty(), codec.decode(tampered));
    }

    @Test
    void anyChangedCharacterIsRejected() {
        String text = codec.encode(scoped());
        for (int i = 0; i < text.length(); i++) {
            for (char c : new char[]{'A', 'B', 'Q', 'g', 'w', '0', '-', '_', '.'}) {
                if (text.charAt(i) == c) continue;
                String altered = text.substring(0, i) + c + text.substring(i + 1);
                assertEquals(Optional.empty(), codec.decode(altered), "accepted with '" + c + "' at " + i + ": " + altered);
            }
        }
    }

    @Test
    void appendedOrRemovedTextIsRejected() {
        String text = codec.encode(scoped());
        for (String suffix : new String[]{".", "..", "=", "==", "A", ".x", " "}) {
            assertEquals(Optional.empty(), codec.decode(text + suffix), "suffix '" + suffix + "'");
        }
        assertEquals(Optional.empty(), codec.decode(text.substring(0, text.length() - 1)));
        assertEquals(Optional.empty(), codec.decode(text.substring(1)));
    }

    @Test
    void garbageIsRejectedWithoutExceptions() {
        for (String s : new String[]{null, "", "skn1.", "skn1..", "skn1.abc", "skn1.a.b.c", "skn1.!!!.###", "skn2.YQ.YQ",
                "gAAAAABk-fernet-token", "Bearer skn1.YQ.YQ"}) {
            assertEquals(Optional.empty(), codec.decode(s), String.valueOf(s));
        }
    }

    @Test
    void correctlySignedButMalformedClaimsAreRejected() throws Exception {
        // Only the key holder could produce these; decoding them still must not throw.
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key(7), "HmacSHA256"));
        Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
        for (byte[] payload : new byte[][]{{}, "abc".getBytes(StandardCharsets.US_ASCII), {0, 5, 'a'}}) {
            String text = "skn1." + enc.encodeToString(payload) + "." + enc.encodeToString(mac.doFinal(payload));
            assertEquals(Optional.empty(), codec.decode(text));
        }
    }

    @Test
    void tokensForDifferentClaimsDiffer() {
        Token other = new Token("u-1", "alice", "p-2", "other", List.of("member"), ISSUED, EXPIRES, List.of("password"));
        assertNotEquals(codec.encode(scoped()), codec.encode(other));
        assertEquals(codec.encode(scoped()), codec.encode(scoped()), "encoding is deterministic");
    }
}
