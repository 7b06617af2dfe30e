package dev.skein.metadata;

import java.util.List;
import java.util.Map;

/** One answer of the metadata service: a directory listing, a text value, raw user data or a JSON document. */
public sealed interface MetadataEntry {

    /** Names one per line; subdirectories of the EC2 layout end with "/". */
    record Listing(List<String> names) implements MetadataEntry {
        public Listing { names = List.copyOf(names); }
    }

    record Text(String text) implements MetadataEntry {}

    /** User data exactly as the instance's owner gave it (decoded from base64). */
    record Bytes(byte[] bytes) implements MetadataEntry {}

    /** A JSON document as nested maps and lists in the order its keys are shown; adapters serialise it. */
    record Json(Map<String, Object> document) implements MetadataEntry {}
}
