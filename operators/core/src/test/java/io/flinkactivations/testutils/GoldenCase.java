package io.flinkactivations.testutils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * One row of the golden file: PyTorch 1.13's output for one op, parameters and input.
 *
 * <p>The file {@code golden/activations.jsonl} on the test classpath holds PyTorch's own outputs
 * (generated with real PyTorch; {@code golden/README.md} beside it says how, and the rule): the
 * shared file's cases, then the normalizations' from {@code
 * src/test/python/golden_normalizations.py}. Do not edit it by hand.
 */
public record GoldenCase(
        String caseName,
        String op,
        Map<String, Object> params,
        boolean alongDim0,
        int[] shape,
        float[] input,
        float[] expected,
        double[] expectedF64,
        String window) {

    public static final String RESOURCE = "/golden/activations.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile List<GoldenCase> file;

    /** Every golden case of one vector or one window, in file order: all but {@link #running()}. */
    public static List<GoldenCase> all() {
        return load().stream().filter(c -> c.window == null).toList();
    }

    /**
     * The running_batch_norm cases: a sequence of count windows ({@link #window()}), each record
     * normalised by the statistics the windows before it left.
     */
    public static List<GoldenCase> running() {
        return load().stream().filter(c -> c.window != null).toList();
    }

    /** The spec string for this case, e.g. {@code leaky_relu(negative_slope=0.2)}. */
    public String spec() {
        if (params.isEmpty()) {
            return op;
        }
        StringJoiner args = new StringJoiner(", ", "(", ")");
        params.forEach((k, v) -> args.add(k + "=" + v));
        return op + args;
    }

    /** The softmax family's {@code groups}; 1 for every other case. */
    public int groups() {
        Object g = params.get("groups");
        return g == null ? 1 : ((Number) g).intValue();
    }

    /** The golden rule for this case's output; null when it passes, else the first failure. */
    public String check(String what, float[] actual) {
        return GoldenRule.check(
                what,
                GoldenRule.Scale.of(op),
                input,
                rows(),
                cols(),
                groups(),
                expected,
                expectedF64,
                actual);
    }

    public boolean isWindow() {
        return shape.length == 2;
    }

    /** Rows along dim 0: a window's records, or a single vector's values (a vector is D x 1). */
    public int rows() {
        return shape[0];
    }

    /** Features of a window; 1 for a single vector. */
    public int cols() {
        return shape.length == 2 ? shape[1] : 1;
    }

    @Override
    public String toString() {
        return spec() + " on " + caseName;
    }

    private static List<GoldenCase> load() {
        List<GoldenCase> cases = file;
        if (cases == null) {
            cases = read();
            file = cases;
        }
        return cases;
    }

    private static List<GoldenCase> read() {
        try (InputStream in = GoldenCase.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the test classpath");
            }
            BufferedReader reader =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<GoldenCase> cases = new ArrayList<>();
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    cases.add(parse(JSON.readTree(line)));
                }
            }
            return List.copyOf(cases);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static GoldenCase parse(JsonNode n) {
        Map<String, Object> params = new java.util.LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = n.get("params").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            params.put(
                    e.getKey(),
                    e.getValue().isNumber() ? e.getValue().numberValue() : e.getValue().asText());
        }
        JsonNode shapeNode = n.get("shape");
        int[] shape = new int[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asInt();
        }
        double[] input = doubles(n.get("input"));
        double[] expected = doubles(n.get("expected"));
        return new GoldenCase(
                n.get("case").asText(),
                n.get("op").asText(),
                params,
                !n.get("dim").isNull(),
                shape,
                toFloats(input),
                toFloats(expected),
                doubles(n.get("expected_f64")),
                n.hasNonNull("window") ? n.get("window").asText() : null);
    }

    /** Numbers as doubles; "NaN", "Infinity", "-Infinity" strings as those values. */
    public static double[] doubles(JsonNode array) {
        double[] d = new double[array.size()];
        for (int i = 0; i < d.length; i++) {
            JsonNode v = array.get(i);
            d[i] = v.isNumber() ? v.doubleValue() : Double.parseDouble(v.asText());
        }
        return d;
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
