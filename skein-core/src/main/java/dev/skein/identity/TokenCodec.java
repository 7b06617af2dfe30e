package dev.skein.identity;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Self-contained signed tokens (HMAC-SHA256 over the claims), so validating one needs no database read and
 * tokens survive a restart as long as the key file does.
 */
public final class TokenCodec {
    private static final String PREFIX = "skn1.";
    private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DEC = Base64.getUrlDecoder();

    private final SecretKeySpec key;
    private final Clock clock;

    public TokenCodec(byte[] key, Clock clock) {
        if (key.length < 32) throw new IllegalArgumentException("token key must be at least 32 bytes");
        this.key = new SecretKeySpec(key, "HmacSHA256");
        this.clock = clock;
    }

    public String encode(Token t) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.writeUTF(t.userId());
            out.writeUTF(t.userName());
            out.writeUTF(t.projectId() == null ? "" : t.projectId());
            out.writeUTF(t.projectName() == null ? "" : t.projectName());
            out.writeUTF(String.join(",", t.roles()));
            out.writeUTF(String.join(",", t.methods()));
            out.writeLong(t.issuedAt().getEpochSecond());
            out.writeLong(t.expiresAt().getEpochSecond());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        byte[] payload = buf.toByteArray();
        return PREFIX + ENC.encodeToString(payload) + "." + ENC.encodeToString(sign(payload));
    }

    /** The token's claims if the signature is ours and it has not expired. */
    public Optional<Token> decode(String text) {
        if (text == null || !text.startsWith(PREFIX)) return Optional.empty();
        String[] parts = text.substring(PREFIX.length()).split("\\.");
        if (parts.length != 2) return Optional.empty();
        try {
            byte[] payload = DEC.decode(parts[0]);
            // Compare whole texts, not decoded bytes: the decoder also takes padding and ignores stray low bits,
            // and split drops trailing dots, so other strings would decode to a valid token.
            String exact = PREFIX + ENC.encodeToString(payload) + "." + ENC.encodeToString(sign(payload));
            if (!MessageDigest.isEqual(exact.getBytes(StandardCharsets.UTF_8), text.getBytes(StandardCharsets.UTF_8))) {
                return Optional.empty();
            }
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
            String userId = in.readUTF(), userName = in.readUTF(), projectId = in.readUTF(), projectName = in.readUTF();
            List<String> roles = split(in.readUTF()), methods = split(in.readUTF());
            Instant issued = Instant.ofEpochSecond(in.readLong()), expires = Instant.ofEpochSecond(in.readLong());
            if (!clock.instant().isBefore(expires)) return Optional.empty();
            return Optional.of(new Token(userId, userName, projectId.isEmpty() ? null : projectId,
                    projectName.isEmpty() ? null : projectName, roles, issued, expires, methods));
        } catch (IllegalArgumentException | IOException e) {
            return Optional.empty();
        }
    }

    private byte[] sign(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> split(String s) {
        return s.isEmpty() ? List.of() : new ArrayList<>(List.of(s.split(",")));
    }
}
