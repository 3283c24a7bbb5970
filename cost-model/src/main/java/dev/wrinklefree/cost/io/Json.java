package dev.wrinklefree.cost.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reading JSON/YAML trees with errors that say where: every accessor takes the path of the node so far
 * (for example {@code results.json: [3].primaryMetric}) and puts it in the message.
 */
public final class Json {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();
    private static final ObjectMapper YAML = new YAMLMapper(new YAMLFactory());

    private Json() {
    }

    /** The shared JSON mapper (indented output; reads bare NaN/Infinity too). */
    public static ObjectMapper mapper() {
        return JSON;
    }

    /**
     * Reads a JSON file, or YAML when the name ends in {@code .yaml}/{@code .yml}.
     *
     * @throws InputException naming the file and, for a syntax error, the line and column
     */
    public static JsonNode readTree(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (bytes.length == 0) {
            throw new InputException(file + ": empty file, expected " + (yaml ? "YAML" : "JSON"));
        }
        try {
            JsonNode n = (yaml ? YAML : JSON).readTree(bytes);
            if (n == null || n.isMissingNode()) {
                throw new InputException(file + ": no " + (yaml ? "YAML" : "JSON") + " content");
            }
            return n;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new InputException(file + ": not valid " + (yaml ? "YAML" : "JSON") + where + " (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The child {@code field} of {@code node}, which must exist and not be null. */
    public static JsonNode required(JsonNode node, String field, String where) {
        JsonNode c = node.get(field);
        if (c == null || c.isNull()) {
            throw new InputException(where + ": missing field '" + field + "'");
        }
        return c;
    }

    /** A required text field. */
    public static String text(JsonNode node, String field, String where) {
        JsonNode c = required(node, field, where);
        if (!c.isValueNode() || c.isBoolean()) {
            throw new InputException(where + "." + field + ": expected a string, got " + kind(c));
        }
        String s = c.asText();
        if (s.isBlank()) {
            throw new InputException(where + "." + field + ": expected a non-empty string");
        }
        return s;
    }

    /** An optional text field, {@code null} when absent. */
    public static String optText(JsonNode node, String field, String where) {
        JsonNode c = node.get(field);
        return c == null || c.isNull() ? null : text(node, field, where);
    }

    /**
     * A required number. JMH writes non-finite numbers as the strings {@code "NaN"}, {@code "Infinity"},
     * {@code "-Infinity"}; those are accepted too, as is any numeric string.
     */
    public static double number(JsonNode node, String field, String where) {
        return number(required(node, field, where), where + "." + field);
    }

    /** An optional number, {@code null} when absent or null. */
    public static Double optNumber(JsonNode node, String field, String where) {
        JsonNode c = node.get(field);
        return c == null || c.isNull() ? null : number(c, where + "." + field);
    }

    /** The number in {@code c} (see {@link #number(JsonNode, String, String)}). */
    public static double number(JsonNode c, String where) {
        if (c.isNumber()) {
            return c.doubleValue();
        }
        if (c.isTextual()) {
            String s = c.asText().strip();
            switch (s) {
                case "NaN": return Double.NaN;
                case "Infinity", "+Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default:
                    try {
                        return Double.parseDouble(s);
                    } catch (NumberFormatException e) {
                        throw new InputException(where + ": expected a number, got \"" + s + "\"");
                    }
            }
        }
        throw new InputException(where + ": expected a number, got " + kind(c));
    }

    /** A required array field. */
    public static JsonNode array(JsonNode node, String field, String where) {
        JsonNode c = required(node, field, where);
        if (!c.isArray()) {
            throw new InputException(where + "." + field + ": expected an array, got " + kind(c));
        }
        return c;
    }

    /** A required object field. */
    public static JsonNode object(JsonNode node, String field, String where) {
        JsonNode c = required(node, field, where);
        if (!c.isObject()) {
            throw new InputException(where + "." + field + ": expected an object, got " + kind(c));
        }
        return c;
    }

    /** A word for the JSON type of {@code n}, for messages. */
    public static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> n.getNodeType().toString().toLowerCase(Locale.ROOT);
        };
    }
}
