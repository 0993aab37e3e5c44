// Compile beatpolice's JSON Schemas with Ajv's strict mode (draft 2020-12) and validate
// cases against them. Input (argv[2]): {"schemas": {name: schema}, "cases": [{"schema":
// name, "ref": optional "#/$defs/X", "data": ...}]}. Output (stdout): one error list per
// case, [{"instancePath", "schemaPath", "keyword", "params", "message"}].
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const compiled = {};
for (const [name, schema] of Object.entries(input.schemas)) {
  compiled[name] = ajv.compile(schema);
}
const results = (input.cases || []).map(({ schema, ref, data }) => {
  const validate = ref
    ? ajv.getSchema(input.schemas[schema].$id + ref)
    : compiled[schema];
  if (validate(data)) return [];
  return validate.errors.map(({ instancePath, schemaPath, keyword, params, message }) => ({
    instancePath, schemaPath, keyword, params, message,
  }));
});
process.stdout.write(JSON.stringify(results));
