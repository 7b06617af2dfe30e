package dev.skein.identity;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PasswordHasherTest {
    // Each hash costs 120 000 PBKDF2 rounds, so the tests share a few.
    private static String secret;
    private static String secretAgain;

    @BeforeAll
    static void hashOnce() {
        secret = PasswordHasher.hash("s3cret!");
        secretAgain = PasswordHasher.hash("s3cret!");
    }

    @Test
    void storedFormIsSchemeIterationsSaltHash() {
        String[] parts = secret.split("\\$");
        assertEquals(4, parts.length, secret);
        assertEquals("pbkdf2-sha256", parts[0]);
        assertEquals("120000", parts[1]);
        assertEquals(16, Base64.getDecoder().decode(parts[2]).length, "128-bit salt");
        assertEquals(32, Base64.getDecoder().decode(parts[3]).length, "256-bit hash");
        assertFalse(secret.contains("s3cret"));
    }

    @Test
    void rightPasswordVerifies() {
        assertTrue(PasswordHasher.verify("s3cret!", secret));
    }

    @Test
    void wrongPasswordsDoNot() {
        for (String wrong : new String[]{"s3cret", "s3cret!!", "S3cret!", "", " s3cret!"}) {
            assertFalse(PasswordHasher.verify(wrong, secret), wrong);
        }
    }

    @Test
    void saltMakesEveryHashDifferent() {
        assertNotEquals(secret, secretAgain);
        assertTrue(PasswordHasher.verify("s3cret!", secretAgain));
    }

    @Test
    void storedIterationCountIsHonoured() throws Exception {
        // A hash written with another work factor (e.g. before a change of the default) still verifies.
        byte[] salt = new byte[16];
        byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec("old".toCharArray(), salt, 1000, 256)).getEncoded();
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        String stored = "pbkdf2-sha256$1000$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
        assertTrue(PasswordHasher.verify("old", stored));
        assertFalse(PasswordHasher.verify("new", stored));
        assertFalse(PasswordHasher.verify("old", stored.replace("$1000$", "$1001$")));
    }

    @Test
    void otherSchemesAndMalformedValuesDoNotVerify() {
        String[] parts = secret.split("\\$");
        for (String stored : new String[]{"", "s3cret!", "pbkdf2-sha256", "pbkdf2-sha1$" + parts[1] + "$" + parts[2] + "$" + parts[3],
                secret + "$extra", "$" + parts[1] + "$" + parts[2] + "$" + parts[3]}) {
            assertFalse(PasswordHasher.verify("s3cret!", stored), stored);
        }
    }

    @Test
    void emptyAndNonAsciiPasswords() {
        String empty = PasswordHasher.hash("");
        assertTrue(PasswordHasher.verify("", empty));
        assertFalse(PasswordHasher.verify(" ", empty));
        String unicode = PasswordHasher.hash("pässwörd-密码");
        assertTrue(PasswordHasher.verify("pässwörd-密码", unicode));
        assertFalse(PasswordHasher.verify("passwort-密码", unicode));
    }
}
