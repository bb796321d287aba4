package io.github.diffusion4j.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLParser;

/**
 * Reads an {@link ExperimentConfig}: built-in defaults, then a preset or a YAML file, then
 * {@code --set key=value} overrides, merged as trees and bound with unknown keys rejected by name.
 */
public final class ConfigLoader {
    static final String PRESETS = "/io/github/diffusion4j/presets/";
    /** The presets shipped as resources. */
    public static final List<String> PRESET_NAMES = List.of("mnist-unet", "fashion-unet", "emoji32-unet", "emoji64-unet");

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT) // batch: 1.5 is an error, not 1
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION) // a repeated key is an error, not "last wins"
            .build();
    /** Most bytes of a config file read (configs are a few hundred bytes). */
    static final long MAX_CONFIG_BYTES = 1 << 20;
    private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)*");

    private ConfigLoader() {}

    /** Loads a preset name or a YAML file path, applies {@code sets} and validates. */
    public static ExperimentConfig load(String presetOrFile, List<String> sets) {
        ObjectNode tree = (ObjectNode) readResource("defaults.yaml");
        merge(tree, readSource(presetOrFile), "");
        for (String set : sets) {
            applySet(tree, set);
        }
        return bind(tree);
    }

    /** Parses the YAML text of a resolved config (as written into a run directory). */
    public static ExperimentConfig parse(String yaml) {
        ObjectNode tree = (ObjectNode) readResource("defaults.yaml");
        JsonNode node = readYaml(yaml, "config");
        if (!node.isObject()) {
            throw new ConfigException("config must be a YAML mapping");
        }
        merge(tree, node, "");
        return bind(tree);
    }

    /**
     * {@link #parse(String)} of the config embedded in {@code source} (a checkpoint or training
     * state); errors name {@code source}.
     */
    public static ExperimentConfig parse(String yaml, Path source) {
        try {
            return parse(yaml);
        } catch (ConfigException e) {
            throw new ConfigException(source + ": embedded config: " + e.getMessage());
        }
    }

    /**
     * Parses YAML text into a tree, refusing what Jackson would silently misread: aliases
     * ({@code *name}, which it turns into the string "name"); duplicate keys are refused by the
     * mapper. Errors are one line naming {@code source} and the line.
     */
    private static JsonNode readYaml(String text, String source) {
        try {
            try (JsonParser p = YAML.createParser(text)) {
                while (p.nextToken() != null) {
                    if (p instanceof YAMLParser y && y.isCurrentAlias()) {
                        throw new ConfigException(source + ": line " + p.currentTokenLocation().getLineNr() + ": YAML alias '*"
                                + p.getString() + "' is not supported; write the value out");
                    }
                }
            }
            JsonNode node = YAML.readTree(text);
            return node == null ? YAML.missingNode() : node;
        } catch (JacksonException e) {
            throw new ConfigException(source + ": not valid YAML: " + oneLine(e));
        }
    }

    /** A YAML error as one line: the problem, then "line L, column C" (SnakeYAML's source excerpt dropped). */
    static String oneLine(JacksonException e) {
        String msg = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        int cut = msg.indexOf("\n in ");
        if (cut < 0) {
            cut = msg.indexOf(" in reader,");
        }
        String where = "";
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("line (\\d+), column (\\d+)").matcher(msg);
        if (m.find()) {
            where = " (line " + m.group(1) + ", column " + m.group(2) + ")";
        } else if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
            where = " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        }
        String problem = (cut >= 0 ? msg.substring(0, cut) : msg).replace("\t", "\\t").replaceAll("\\s*\n\\s*", "; ").strip();
        return problem + where;
    }

    /**
     * A network-shape check failure ({@code UNetConfig.validate}: "field: problem") as a
     * {@link ConfigException} naming the config key, for builders of networks from configs.
     */
    public static ConfigException asConfigError(IllegalArgumentException e) {
        return ConfigValidator.asConfigError(e);
    }

    /** The resolved config as YAML. */
    public static String toYaml(ExperimentConfig config) {
        return YAML.writeValueAsString(config);
    }

    private static JsonNode readSource(String presetOrFile) {
        if (PRESET_NAMES.contains(presetOrFile)) {
            return readResource(presetOrFile + ".yaml");
        }
        Path path = Path.of(presetOrFile);
        if (!Files.isRegularFile(path)) {
            throw new ConfigException("config '" + presetOrFile + "' is neither a preset (" + String.join(", ", PRESET_NAMES)
                    + ") nor a readable file");
        }
        String text;
        try {
            if (Files.size(path) > MAX_CONFIG_BYTES) {
                throw new ConfigException(path + ": " + Files.size(path) + " bytes; a config is at most " + MAX_CONFIG_BYTES);
            }
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(path))).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ConfigException(path + ": not UTF-8 text; save the config as UTF-8");
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": " + e.getMessage(), e);
        }
        JsonNode node = readYaml(text, path.toString());
        if (!node.isObject()) {
            throw new ConfigException(path + ": config must be a YAML mapping");
        }
        return node;
    }

    private static JsonNode readResource(String name) {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(PRESETS + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + PRESETS + name);
            }
            return YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Overlays {@code over} onto {@code base}; keys absent from the defaults are rejected here, by name. */
    private static void merge(ObjectNode base, JsonNode over, String prefix) {
        for (Map.Entry<String, JsonNode> e : over.properties()) {
            String key = prefix + e.getKey();
            JsonNode existing = base.get(e.getKey());
            if (existing == null) {
                throw new ConfigException("unknown config key '" + key + "'" + suggestion(base, e.getKey(), prefix));
            }
            if (existing.isObject() && e.getValue().isObject()) {
                merge((ObjectNode) existing, e.getValue(), key + ".");
            } else if (existing.isObject()) {
                throw new ConfigException("config key '" + key + "' must be a mapping");
            } else {
                base.set(e.getKey(), e.getValue());
            }
        }
    }

    private static String suggestion(ObjectNode base, String key, String prefix) {
        List<String> known = new ArrayList<>(base.propertyNames());
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(k.toLowerCase(), key.toLowerCase());
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= 3 ? " (did you mean '" + prefix + best + "'?)" : " (known: " + String.join(", ", known) + ")";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int[] cur = new int[b.length() + 1];
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            prev = cur;
        }
        return prev[b.length()];
    }

    /** Applies one {@code a.b.c=value} override; the value is parsed as YAML (numbers, lists, booleans). */
    static void applySet(ObjectNode tree, String set) {
        int eq = set.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("--set needs key=value, got '" + set + "'");
        }
        String key = set.substring(0, eq).trim();
        if (!KEY.matcher(key).matches()) {
            throw new ConfigException("--set: '" + key + "' is not a config key (expected e.g. training.batch=32)");
        }
        JsonNode value = readYaml(set.substring(eq + 1), "--set " + key);
        ObjectNode over = YAML.createObjectNode();
        ObjectNode cursor = over;
        String[] parts = key.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) {
            cursor = cursor.putObject(parts[i]);
        }
        cursor.set(parts[parts.length - 1], value.isMissingNode() ? YAML.nullNode() : value);
        merge(tree, over, "");
    }

    private static ExperimentConfig bind(ObjectNode tree) {
        ExperimentConfig c;
        try {
            c = YAML.treeToValue(tree, ExperimentConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException("unknown config key '" + path(e) + "'");
        } catch (InvalidFormatException e) {
            throw new ConfigException("config key '" + path(e) + "': '" + e.getValue() + "' is not a valid " + e.getTargetType().getSimpleName());
        } catch (MismatchedInputException e) {
            throw new ConfigException("config key '" + path(e) + "': wrong type (" + e.getOriginalMessage().split("\n")[0] + ")");
        } catch (JacksonException e) {
            String key = path(e);
            throw new ConfigException((key.isEmpty() ? "config: " : "config key '" + key + "': ") + oneLine(e));
        }
        ConfigValidator.validate(c);
        return c;
    }

    private static String path(JacksonException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
