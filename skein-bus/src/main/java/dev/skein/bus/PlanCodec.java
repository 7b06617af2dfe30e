package dev.skein.bus;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.skein.plan.HostPlan;
import dev.skein.plan.PlanDelta;
import dev.skein.plan.Uplink;

import java.io.IOException;

/**
 * Host plans and plan deltas as JSON, the form in which they leave the controller (plan fetches over HTTP, deltas
 * on the bus). Attribute names are snake_case like the rest of the API; an uplink names its kind in "type".
 * Unknown attributes are ignored so that an agent keeps working while a newer controller adds plan parts.
 */
public final class PlanCodec {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addMixIn(Uplink.class, UplinkTypes.class);

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Uplink.Vxlan.class, name = "vxlan"),
            @JsonSubTypes.Type(value = Uplink.Flat.class, name = "flat"),
            @JsonSubTypes.Type(value = Uplink.Vlan.class, name = "vlan"),
            @JsonSubTypes.Type(value = Uplink.Unavailable.class, name = "unavailable")})
    private interface UplinkTypes {}

    private PlanCodec() {}

    public static JsonNode tree(HostPlan plan) { return JSON.valueToTree(plan); }

    public static HostPlan plan(JsonNode tree) {
        try {
            return JSON.treeToValue(tree, HostPlan.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalArgumentException("unreadable host plan: " + e.getMessage(), e);
        }
    }

    public static byte[] encode(PlanDelta delta) {
        try {
            return JSON.writeValueAsBytes(delta);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static PlanDelta decode(byte[] body) {
        try {
            return JSON.readValue(body, PlanDelta.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("unreadable plan delta: " + e.getMessage(), e);
        }
    }

    public static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
