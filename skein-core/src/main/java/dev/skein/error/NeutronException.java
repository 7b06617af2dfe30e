package dev.skein.error;

/**
 * A failure the API reports to its caller as {@code {"NeutronError": {type, message, detail}}}.
 * The type names follow neutron-lib's exception class names because clients (openstacksdk, Terraform)
 * match on them.
 */
public class NeutronException extends RuntimeException {
    private final int status;
    private final String type;

    public NeutronException(int status, String type, String message) {
        super(message);
        this.status = status;
        this.type = type;
    }

    public int status() { return status; }
    public String type() { return type; }

    public static NeutronException badRequest(String message) {
        return new NeutronException(400, "HTTPBadRequest", message);
    }

    public static NeutronException invalidInput(String message) {
        return new NeutronException(400, "InvalidInput", "Invalid input for operation: " + message);
    }

    public static NeutronException invalidAttribute(String attribute, String reason) {
        return new NeutronException(400, "HTTPBadRequest",
                "Invalid input for " + attribute + ". Reason: " + reason);
    }

    public static NeutronException notAuthenticated() {
        return new NeutronException(401, "HTTPUnauthorized",
                "The request you have made requires authentication.");
    }

    public static NeutronException forbidden(String action) {
        return new NeutronException(403, "PolicyNotAuthorized",
                "(" + action + ") is disallowed by policy");
    }

    public static NeutronException notFound(String type, String message) {
        return new NeutronException(404, type, message);
    }

    public static NeutronException networkNotFound(String id) {
        return notFound("NetworkNotFound", "Network " + id + " could not be found.");
    }

    public static NeutronException subnetNotFound(String id) {
        return notFound("SubnetNotFound", "Subnet " + id + " could not be found.");
    }

    public static NeutronException portNotFound(String id) {
        return notFound("PortNotFound", "Port " + id + " could not be found.");
    }

    public static NeutronException conflict(String type, String message) {
        return new NeutronException(409, type, message);
    }

    public static NeutronException preconditionFailed(String message) {
        return new NeutronException(412, "PreconditionFailed", message);
    }
}
