package dev.baton.bench;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Writes maps, lists, strings, numbers and booleans as indented JSON: all the report needs. */
final class Json {
    private Json() {
    }

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, "");
        return out.append('\n').toString();
    }

    private static void write(Object value, StringBuilder out, String indent) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Map<?, ?> map) {
            items(map.entrySet().iterator(), '{', '}', out, indent, (entry, inner) -> {
                string(String.valueOf(entry.getKey()), out);
                out.append(": ");
                write(entry.getValue(), out, inner);
            });
        } else if (value instanceof List<?> list) {
            items(list.iterator(), '[', ']', out, indent, (item, inner) -> write(item, out, inner));
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else {
            string(value.toString(), out);
        }
    }

    private interface ItemWriter<T> {
        void write(T item, String indent);
    }

    private static <T> void items(Iterator<T> items, char open, char close, StringBuilder out, String indent,
            ItemWriter<T> writer) {
        out.append(open);
        String inner = indent + "  ";
        boolean any = items.hasNext();
        while (items.hasNext()) {
            out.append('\n').append(inner);
            writer.write(items.next(), inner);
            if (items.hasNext()) {
                out.append(',');
            }
        }
        out.append(any ? "\n" + indent : "").append(close);
    }

    private static void string(String text, StringBuilder out) {
        out.append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
