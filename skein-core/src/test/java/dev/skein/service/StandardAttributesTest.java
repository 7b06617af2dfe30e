package dev.skein.service;

import dev.skein.error.NeutronException;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static dev.skein.error.NeutronErrors.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class StandardAttributesTest {

    private static List<String> tags(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add("t" + i);
        return out;
    }

    @Test
    void timestampsAreWholeSeconds() {
        Clock clock = Clock.fixed(Instant.parse("2024-05-01T10:00:00.987654321Z"), ZoneOffset.UTC);
        assertEquals(Instant.parse("2024-05-01T10:00:00Z"), StandardAttributes.now(clock));
    }

    @Test
    void noConstraintOrTheCurrentRevisionPasses() {
        StandardAttributes.checkRevision(null, 7);
        StandardAttributes.checkRevision(7L, 7);
        // Beyond the small-Long cache, so a reference comparison would fail here.
        StandardAttributes.checkRevision(Long.valueOf(123_456_789L), 123_456_789L);
    }

    @Test
    void staleRevisionIs412() {
        NeutronException e = expect(412, "RevisionNumberConstraintFailed", () -> StandardAttributes.checkRevision(6L, 7));
        assertEquals("Constrained to 6, but current revision is 7", e.getMessage());
        expect(412, "RevisionNumberConstraintFailed", () -> StandardAttributes.checkRevision(8L, 7));
    }

    @Test
    void tagsKeepOrderAndDropRepeats() {
        assertEquals(List.of("b", "a"), StandardAttributes.tags(List.of("b", "a", "b")));
        assertEquals(List.of(), StandardAttributes.tags(List.of()));
    }

    @Test
    void atMostFiftyTags() {
        assertEquals(50, StandardAttributes.tags(tags(50)).size());
        NeutronException e = expect(400, "HTTPBadRequest", () -> StandardAttributes.tags(tags(51)));
        assertEquals("Too many tags: at most 50 per resource", e.getMessage());
    }

    @Test
    void tagLength() {
        assertEquals("x".repeat(255), StandardAttributes.tag("x".repeat(255)));
        expect(400, "HTTPBadRequest", () -> StandardAttributes.tag("x".repeat(256)));
        expect(400, "HTTPBadRequest", () -> StandardAttributes.tags(List.of("ok", "x".repeat(256))));
    }

    @Test
    void emptyNullAndCommaTagsAreInvalid() {
        NeutronException e = expect(400, "HTTPBadRequest", () -> StandardAttributes.tag("a,b"));
        assertEquals("Invalid input for tags. Reason: 'a,b' is not a valid tag (1 to 255 characters, no comma)", e.getMessage());
        expect(400, "HTTPBadRequest", () -> StandardAttributes.tag(""));
        expect(400, "HTTPBadRequest", () -> StandardAttributes.tag(null));
    }

    @Test
    void tagsMayHoldSpacesAndOtherPunctuation() {
        assertEquals("env: prod/eu-1", StandardAttributes.tag("env: prod/eu-1"));
    }

    @Test
    void addingATag() {
        List<String> before = List.of("a");
        assertEquals(List.of("a", "b"), StandardAttributes.withTag(before, "b"));
        assertEquals(List.of("a"), before, "the input list is not changed");
        assertSame(before, StandardAttributes.withTag(before, "a"), "adding a present tag is a no-op");
        expect(400, "HTTPBadRequest", () -> StandardAttributes.withTag(before, "x,y"));
    }

    @Test
    void addingTheFiftyFirstTagIs400() {
        List<String> full = tags(50);
        assertSame(full, StandardAttributes.withTag(full, "t0"));
        expect(400, "HTTPBadRequest", () -> StandardAttributes.withTag(full, "one-more"));
        assertEquals(50, StandardAttributes.withTag(tags(49), "last").size());
    }

    @Test
    void removingATag() {
        List<String> before = List.of("a", "b", "c");
        assertEquals(List.of("a", "c"), StandardAttributes.withoutTag(before, "b", "r-1"));
        assertEquals(List.of("a", "b", "c"), before);
    }

    @Test
    void removingAMissingTagIs404() {
        NeutronException e = expect(404, "TagNotFound", () -> StandardAttributes.withoutTag(List.of("a"), "b", "r-1"));
        assertEquals("Tag b could not be found for resource r-1.", e.getMessage());
    }
}
