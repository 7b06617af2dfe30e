package dev.skein.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.skein.error.NeutronException;

import java.util.Map;

public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

    private Json() {}

    /** The request body as a JSON object; 400 for anything else. */
    public static Map<String, Object> object(String body) {
        if (body == null || body.isBlank()) throw NeutronException.badRequest("Resource body required");
        try {
            Map<String, Object> m = MAPPER.readValue(body, OBJECT);
            if (m == null) throw NeutronException.badRequest("Resource body required");
            return m;
        } catch (JsonProcessingException e) {
            throw NeutronException.badRequest("Malformed request body: the body is not a JSON object");
        }
    }

    public static String write(Object o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
