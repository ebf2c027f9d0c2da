import { create, fromBinary, toBinary, type DescMessage, type DescMethod, type DescService } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { DescFile } from '@bufbuild/protobuf';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

/**
 * The one bridge between protobuf-es schemas and grpc-js: method paths and (de)serializers come
 * from the descriptors, so no second code generator is needed. Serializers accept either a
 * message or its init shape (handlers may return plain objects).
 */
export function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

function serializer<D extends DescMessage>(schema: D): (value: unknown) => Buffer {
  return (value) => Buffer.from(toBinary(schema, create(schema, value as never)));
}

function deserializer<D extends DescMessage>(schema: D): (bytes: Buffer) => unknown {
  return (bytes) => fromBinary(schema, bytes);
}

/**
 * A request that could not be decoded (for example a string field holding invalid UTF-8).
 * grpc-js would answer a throwing deserializer with INTERNAL; the server instead hands this marker
 * to its handler wrapper, which answers INVALID_ARGUMENT naming the message type.
 */
export class DecodeFailure {
  constructor(
    readonly typeName: string,
    readonly reason: string,
  ) {}
}

function lenientDeserializer<D extends DescMessage>(schema: D): (bytes: Buffer) => unknown {
  return (bytes) => {
    try {
      return fromBinary(schema, bytes);
    } catch (err) {
      return new DecodeFailure(schema.typeName, err instanceof Error ? err.message : String(err));
    }
  };
}

export function methodDefinition(method: DescMethod): MethodDefinition<unknown, unknown> {
  const kind = method.methodKind;
  return {
    path: methodPath(method),
    requestStream: kind === 'client_streaming' || kind === 'bidi_streaming',
    responseStream: kind === 'server_streaming' || kind === 'bidi_streaming',
    requestSerialize: serializer(method.input),
    requestDeserialize: deserializer(method.input),
    responseSerialize: serializer(method.output),
    responseDeserialize: deserializer(method.output),
    originalName: method.localName,
  };
}

/** A grpc-js ServiceDefinition keyed by each method's localName. */
export function serviceDefinition(service: DescService): ServiceDefinition {
  const def: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const m of service.methods) def[m.localName] = { ...methodDefinition(m), requestDeserialize: lenientDeserializer(m.input) };
  return def as ServiceDefinition;
}

/**
 * A package definition in the shape @grpc/reflection reads: the serialized FileDescriptorProtos
 * of the service's file and everything it imports.
 */
export function reflectionPackage(services: DescService[]): Record<string, { fileDescriptorProtos: Buffer[] }> {
  const files = new Map<string, DescFile>();
  const visit = (f: DescFile): void => {
    if (files.has(f.name)) return;
    files.set(f.name, f);
    f.dependencies.forEach(visit);
  };
  services.forEach((s) => visit(s.file));
  const protos = [...files.values()].map((f) => Buffer.from(toBinary(FileDescriptorProtoSchema, f.proto)));
  return Object.fromEntries(services.map((s) => [s.typeName, { fileDescriptorProtos: protos }]));
}
