package dev.skein.service;

import dev.skein.error.NeutronException;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** Rules shared by every resource: revision constraints and tags. */
public final class StandardAttributes {
    public static final int MAX_NAME = 255;
    public static final int MAX_DESCRIPTION = 255;
    public static final int MAX_TAG = 255;
    public static final int MAX_TAGS = 50;
    public static final int MAX_PROJECT_ID = 255;

    private StandardAttributes() {}

    /** created_at / updated_at resolution: Neutron shows whole seconds. */
    public static Instant now(Clock clock) { return clock.instant().truncatedTo(ChronoUnit.SECONDS); }

    /** If-Match: revision_number=N — the write only goes ahead while the stored revision is still N. */
    public static void checkRevision(Long expected, long current) {
        if (expected != null && expected != current) {
            throw new NeutronException(412, "RevisionNumberConstraintFailed",
                    "Constrained to " + expected + ", but current revision is " + current);
        }
    }

    public static List<String> tags(List<String> raw) {
        if (raw.size() > MAX_TAGS) throw NeutronException.badRequest("Too many tags: at most " + MAX_TAGS + " per resource");
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String t : raw) out.add(tag(t));
        return new ArrayList<>(out);
    }

    public static String tag(String t) {
        if (t == null || t.isEmpty() || t.length() > MAX_TAG || t.contains(",")) {
            throw NeutronException.invalidAttribute("tags", "'" + t + "' is not a valid tag (1 to " + MAX_TAG + " characters, no comma)");
        }
        return t;
    }

    public static List<String> withTag(List<String> tags, String tag) {
        if (tags.contains(tag)) return tags;
        List<String> out = new ArrayList<>(tags);
        out.add(tag(tag));
        if (out.size() > MAX_TAGS) throw NeutronException.badRequest("Too many tags: at most " + MAX_TAGS + " per resource");
        return out;
    }

    public static List<String> withoutTag(List<String> tags, String tag, String resourceId) {
        if (!tags.contains(tag)) {
            throw NeutronException.notFound("TagNotFound", "Tag " + tag + " could not be found for resource " + resourceId + ".");
        }
        List<String> out = new ArrayList<>(tags);
        out.remove(tag);
        return out;
    }
}
