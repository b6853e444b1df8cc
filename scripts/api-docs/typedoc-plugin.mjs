// TypeDoc plugin for the API reference (typedoc.json):
// - names each entry module after the import specifier users write
//   (`@neurostatus/core/json-schema`), not after its path in the repository (`core/src/json-schema`);
// - checks that every public export (each name an entry point exports) has documentation, as a
//   validation warning, which typedoc.json makes an error. TypeDoc's own `notDocumented` also
//   demands docs on every member of every interface; members are documented where they need it.
import { Application, Converter, ReflectionKind } from 'typedoc';

const SPECIFIERS = {
  'packages/core/src/index.ts': '@neurostatus/core',
  'packages/core/src/json-schema.ts': '@neurostatus/core/json-schema',
  'packages/poller/src/index.ts': '@neurostatus/poller',
  'packages/simulator/src/index.ts': '@neurostatus/simulator',
  'packages/simulator/src/node.ts': '@neurostatus/simulator/node',
  'packages/cli/src/index.ts': '@neurostatus/cli',
};

/** A function or a function-typed constant is documented by the comment on its signature. */
function documented(reflection) {
  if (reflection.hasComment()) return true;
  const signatures = reflection.getNonIndexSignatures?.() ?? [];
  return signatures.length > 0 && signatures.every((signature) => signature.hasComment());
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const file = module.sources?.[0]?.fullFileName ?? '';
      const entry = Object.keys(SPECIFIERS).find((path) => file.endsWith(path));
      if (entry) module.name = SPECIFIERS[entry];
    }
  });
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    let exports = 0;
    for (const module of project.getReflectionsByKind(ReflectionKind.Module)) {
      for (const reflection of module.children ?? []) {
        exports++;
        if (!documented(reflection)) {
          app.logger.validationWarning(
            `${module.name}: the export ${reflection.name} (${ReflectionKind[reflection.kind]}) has no TSDoc comment`,
          );
        }
      }
    }
    app.logger.info(`${exports} public exports checked for documentation`);
  });
}
