package io.github.diffusion4j.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLParser;

/**
 * Reads an {@link ExperimentConfig}: the records' defaults, then a preset or a YAML file, then
 * {@code --set key=value} overrides, merged as trees and bound with unknown keys rejected by name.
 * A config either uses the one-stage keys {@code model}, {@code diffusion} and {@code sampling}
 * ({@link Shorthand}) or lists {@code stages}; both resolve to {@link ExperimentConfig#stages()}.
 */
public final class ConfigLoader {
    static final String PRESETS = "/io/github/diffusion4j/presets/";
    /** The presets shipped as resources. */
    public static final List<String> PRESET_NAMES = List.of("mnist-unet", "fashion-unet", "emoji32-unet", "emoji64-unet",
            "emoji32-dimr", "emoji64-dimr", "emoji32-dit", "emoji64-dit", "emoji32-lego-pg", "emoji32-lego-pr", "emoji64-lego-pg");

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT) // batch: 1.5 is an error, not 1
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION) // a repeated key is an error, not "last wins"
            .build();
    /** Most bytes of a config file read (configs are a few hundred bytes). */
    static final long MAX_CONFIG_BYTES = 1 << 20;
    private static final ConfigTree TREE = new ConfigTree(YAML);

    private ConfigLoader() {}

    /** Loads a preset name or a YAML file path, applies {@code sets} and validates. */
    public static ExperimentConfig load(String presetOrFile, List<String> sets) {
        JsonNode source = readSource(presetOrFile);
        Class<?> form = formOf(source);
        ObjectNode tree = overDefaults(source, form);
        for (String set : sets) {
            applySet(tree, form, set);
        }
        return bind(tree, form);
    }

    /** {@code config} with {@code sets} applied (as {@code --set} would), validated. */
    public static ExperimentConfig with(ExperimentConfig config, List<String> sets) {
        JsonNode source = readYaml(toYaml(config), "config");
        Class<?> form = formOf(source);
        ObjectNode tree = overDefaults(source, form);
        for (String set : sets) {
            applySet(tree, form, set);
        }
        return bind(tree, form);
    }

    /** The shape a source uses: a {@code stages} list, or the one-stage shorthand. */
    private static Class<?> formOf(JsonNode source) {
        return source.has("stages") ? ExperimentConfig.class : Shorthand.class;
    }

    /** The defaults of {@code form}'s records with {@code source} merged over them. */
    private static ObjectNode overDefaults(JsonNode source, Class<?> form) {
        ObjectNode tree = TREE.defaults(form);
        TREE.merge(tree, source, form, "");
        return tree;
    }

    /** Parses the YAML text of a resolved config (as written into a run directory). */
    public static ExperimentConfig parse(String yaml) {
        JsonNode source = readYaml(yaml, "config");
        if (!source.isObject()) {
            throw new ConfigException("config must be a YAML mapping");
        }
        Class<?> form = formOf(source);
        return bind(overDefaults(source, form), form);
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

    /**
     * The resolved config as YAML, every key with its value: in the one-stage shorthand when the
     * config has one stage at {@code data.resolution} with no coupling, else with a {@code stages}
     * list; a typed section whose choice has no other keys is written as its type name.
     */
    public static String toYaml(ExperimentConfig config) {
        Shorthand shorthand = Shorthand.of(config);
        JsonNode tree = shorthand != null ? YAML.valueToTree(shorthand) : YAML.valueToTree(config);
        return YAML.writeValueAsString(TREE.collapse(tree, shorthand != null ? Shorthand.class : ExperimentConfig.class));
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
        return readMapping(path, "config");
    }

    /**
     * The YAML mapping in {@code path}: at most {@link #MAX_CONFIG_BYTES}, UTF-8, no aliases, no
     * duplicate keys; {@code what} names the kind of file in errors ("config must be a YAML mapping").
     */
    private static JsonNode readMapping(Path path, String what) {
        String text;
        try {
            if (Files.size(path) > MAX_CONFIG_BYTES) {
                throw new ConfigException(path + ": " + Files.size(path) + " bytes; a " + what + " is at most " + MAX_CONFIG_BYTES);
            }
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(path))).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ConfigException(path + ": not UTF-8 text; save the " + what + " as UTF-8");
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": " + e.getMessage(), e);
        }
        JsonNode node = readYaml(text, path.toString());
        if (!node.isObject()) {
            throw new ConfigException(path + ": " + what + " must be a YAML mapping");
        }
        return node;
    }

    /**
     * Reads another kind of YAML file of the project (an experiment spec) as strictly as a config
     * (size cap, UTF-8, no aliases or duplicate keys, unknown keys refused by name) and binds it to
     * {@code type}; errors are one-line {@link ConfigException}s naming the file and the key.
     */
    public static <T> T bindFile(Path path, Class<T> type, String what) {
        if (!Files.isRegularFile(path)) {
            throw new ConfigException(path + ": no such " + what + " file");
        }
        JsonNode node = readMapping(path, what);
        try {
            return YAML.treeToValue(node, type);
        } catch (JacksonException e) {
            throw bindingError(e, path + ": ", what);
        }
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

    /** " (did you mean 'prefix.k'?)" for the nearest of {@code known} to {@code key}, else the known keys. */
    static String suggestion(List<String> known, String key, String prefix) {
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

    /**
     * Applies one {@code a.b[i].c=value} override; the value is parsed as YAML (numbers, lists,
     * booleans, mappings) and the key may index lists ({@code stages[1].model.baseChannels}).
     */
    static void applySet(ObjectNode tree, Class<?> form, String set) {
        int eq = set.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("--set needs key=value, got '" + set + "'");
        }
        String key = set.substring(0, eq).trim();
        JsonNode value = readYaml(set.substring(eq + 1), "--set " + key);
        TREE.set(tree, form, key, value.isMissingNode() ? YAML.nullNode() : value);
    }

    private static ExperimentConfig bind(ObjectNode tree, Class<?> form) {
        ExperimentConfig c;
        try {
            c = form == Shorthand.class ? YAML.treeToValue(tree, Shorthand.class).resolve()
                    : YAML.treeToValue(tree, ExperimentConfig.class);
        } catch (JacksonException e) {
            throw bindingError(e, "", "config");
        }
        ConfigValidator.validate(c, form == Shorthand.class);
        return c;
    }

    /** A binding failure as one line naming the key of a {@code what} ("config", "experiment spec"), after {@code where} (a file, or ""). */
    private static ConfigException bindingError(JacksonException e, String where, String what) {
        String key = path(e);
        if (e instanceof UnrecognizedPropertyException) {
            return new ConfigException(where + "unknown " + what + " key '" + key + "'");
        } else if (e instanceof InvalidFormatException f) {
            return new ConfigException(where + what + " key '" + key + "': '" + f.getValue() + "' is not a valid "
                    + f.getTargetType().getSimpleName());
        } else if (e instanceof MismatchedInputException m) {
            return new ConfigException(where + what + " key '" + key + "': wrong type (" + m.getOriginalMessage().split("\n")[0] + ")");
        }
        return new ConfigException(where + (key.isEmpty() ? what + ": " : what + " key '" + key + "': ") + oneLine(e));
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
