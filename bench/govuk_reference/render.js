// Renders form_page.njk with GOV.UK Frontend's own Nunjucks macros (the npm package, found
// through NODE_PATH): the page described by the JSON on standard input, as HTML on standard
// output. Run by bench/page_weight.py.
const fs = require("fs");
const path = require("path");
const nunjucks = require("nunjucks");

const frontend = path.dirname(require.resolve("govuk-frontend/package.json"));
const environment = nunjucks.configure([path.join(frontend, "dist"), __dirname], {
  autoescape: true,
  throwOnUndefined: false,
});
const page = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(environment.render("form_page.njk", { page }));
