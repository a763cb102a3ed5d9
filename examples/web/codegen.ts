// GraphQL Code Generator's configuration: the client preset types each
// operation of ../operations (the example clients share them) as a
// ...Document constant in src/gql/graphql.ts, and writes the persisted
// documents manifest (id -> document) that the gateway's trusted-documents
// mode runs (-trusted-documents examples/web/src/gql/persisted-documents.json).
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../schema.graphqls",
  documents: ["../operations/*.graphql"],
  ignoreNoDocuments: false,
  // Imports end in .js, as Node.js ES modules (and tsconfig's NodeNext) need.
  emitLegacyCommonJSImports: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: {
        // Only the hash leaves the client: the bundle carries no query text.
        persistedDocuments: { mode: "replaceDocumentWithHash", hashAlgorithm: "sha256" },
        fragmentMasking: false,
      },
      config: {
        documentMode: "string",
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { Time: { input: "string", output: "string" } },
      },
    },
  },
};

export default config;
