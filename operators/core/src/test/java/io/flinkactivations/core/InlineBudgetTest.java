package io.flinkactivations.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The vector helpers fit C2's size for inlining a hot callee (HotSpot's {@code FreqInlineSize}, in
 * bytes of bytecode): one that does not stays a call inside its op's loop, and every vector passed
 * to it or returned is boxed, several times slower with an allocation per vector, on every JDK.
 * PanamaMath's methods and PanamaActivations' op functions exist only to be inlined into the loops,
 * so each is held to the size this JVM uses.
 */
class InlineBudgetTest {

    @Test
    void everyVectorHelperFitsTheSizeC2InlinesWhenHot() throws IOException {
        int freqInlineSize =
                Integer.parseInt(
                        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                                .getVMOption("FreqInlineSize")
                                .getValue());
        Map<String, Integer> lengths = new TreeMap<>(codeLengths(PanamaMath.class));
        lengths.putAll(codeLengths(PanamaActivations.class));
        // built once per kernel, never in a loop
        lengths.keySet().removeIf(m -> m.startsWith("<") || m.startsWith("vectorForm("));

        assertThat(lengths)
                .containsKey(
                        "tanh(Ljdk/incubator/vector/FloatVector;)Ljdk/incubator/vector/FloatVector;");
        lengths.values().removeIf(length -> length <= freqInlineSize);
        assertThat(lengths).as("methods over FreqInlineSize (%d bytes)", freqInlineSize).isEmpty();
    }

    /**
     * The length of each method's bytecode (its Code attribute's code_length), by name and
     * descriptor, read from the class file (JVMS 4.1, 4.4, 4.6, 4.7.3).
     */
    static Map<String, Integer> codeLengths(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            DataInputStream d = new DataInputStream(in);
            d.skipBytes(8); // magic, minor and major version
            String[] utf8 = new String[d.readUnsignedShort()];
            for (int i = 1; i < utf8.length; i++) {
                int tag = d.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = d.readUTF();
                    case 7, 8, 16, 19, 20 -> d.skipBytes(2);
                    case 15 -> d.skipBytes(3);
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> d.skipBytes(4);
                    case 5, 6 -> {
                        d.skipBytes(8);
                        i++; // a long or double takes two entries
                    }
                    default -> throw new IOException("unknown constant pool tag " + tag);
                }
            }
            d.skipBytes(6); // access flags, this class, super class
            d.skipBytes(2 * d.readUnsignedShort()); // interfaces
            for (int fields = d.readUnsignedShort(); fields > 0; fields--) {
                d.skipBytes(6); // access flags, name, descriptor
                for (int attributes = d.readUnsignedShort(); attributes > 0; attributes--) {
                    d.skipBytes(2);
                    d.skipBytes(d.readInt());
                }
            }
            Map<String, Integer> lengths = new TreeMap<>();
            for (int methods = d.readUnsignedShort(); methods > 0; methods--) {
                d.skipBytes(2); // access flags
                String method = utf8[d.readUnsignedShort()] + utf8[d.readUnsignedShort()];
                for (int attributes = d.readUnsignedShort(); attributes > 0; attributes--) {
                    String attribute = utf8[d.readUnsignedShort()];
                    int length = d.readInt();
                    if (attribute.equals("Code")) {
                        d.skipBytes(4); // max_stack, max_locals
                        lengths.put(method, d.readInt());
                        d.skipBytes(length - 8);
                    } else {
                        d.skipBytes(length);
                    }
                }
            }
            return lengths;
        }
    }
}
