package io.twill.bpf.internal;

import java.lang.foreign.FunctionDescriptor;

/**
 * A bound C function as the bindings declare it, kept so a test can prove each against the headers
 * ({@code BindingsMatchCTest}).
 *
 * @param name             the C function
 * @param descriptor       the descriptor of the downcall (without the errno capture segment)
 * @param firstVariadicArg index of the first variadic argument, -1 for a fixed-arity function
 */
public record Downcall(String name, FunctionDescriptor descriptor, int firstVariadicArg) {
}
