package io.twill.daemon;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import io.twill.types.Ipv4Prefix;
import io.twill.types.RoutingMode;

import java.io.IOException;
import java.io.Serial;
import java.time.Duration;
import java.util.function.Function;

/**
 * Jackson for the values Twill's configuration holds that Jackson does not know: an {@link Ipv4Prefix} is its text
 * ({@code 10.0.0.0/8}), a {@link RoutingMode} its config value ({@code overlay}), a {@link Duration} as
 * {@link Durations} reads it ({@code 15s}). A bad value fails with the type's own message (which quotes it), so
 * {@link ConfigLoading} can name the key and say what is wrong.
 */
public final class ConfigModule extends SimpleModule {
    @Serial
    private static final long serialVersionUID = 1L;

    public ConfigModule() {
        super("twill-config");
        scalar(Ipv4Prefix.class, Ipv4Prefix::parse, Ipv4Prefix::toString);
        scalar(RoutingMode.class, RoutingMode::parse, RoutingMode::value);
        scalar(Duration.class, Durations::parse, Durations::format);
    }

    private <T> void scalar(Class<T> type, Function<String, T> parse, Function<T, String> format) {
        addDeserializer(type, new StdScalarDeserializer<T>(type) {
            @Serial
            private static final long serialVersionUID = 1L;

            @Override
            public T deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                if (!p.currentToken().isScalarValue()) return type.cast(ctx.handleUnexpectedToken(type, p));
                String text = p.getValueAsString();
                try {
                    return parse.apply(text);
                } catch (IllegalArgumentException e) {
                    InvalidFormatException bad = InvalidFormatException.from(p, e.getMessage(), text, type);
                    bad.initCause(e);
                    throw bad;
                }
            }
        });
        addSerializer(type, new StdScalarSerializer<T>(type) {
            @Serial
            private static final long serialVersionUID = 1L;

            @Override
            public void serialize(T value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString(format.apply(value));
            }
        });
    }
}
