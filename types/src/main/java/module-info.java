/** Twill's shared value types: JDK only, the ground floor every other module may import. */
module io.twill.types {
    exports io.twill.types;
}
