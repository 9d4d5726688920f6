//! Stage 4, render, as the commands run it: the template set, the context templates see, and
//! the text of the chosen `--format`.

use std::path::Path;

use serde::Serialize;

use crate::error::Error;
use crate::load::stage::Loaded;
use crate::load::{inputs, manifest};
use crate::measure::Measurements;
use crate::{Format, Options, OptionsView, model, render};

/// What templates see: the model's fields at the top level, plus the raw manifests and options.
#[derive(Serialize)]
pub(crate) struct TemplateContext<'a> {
    #[serde(flatten)]
    pub(crate) model: &'a model::Report,
    pub(crate) manifests: &'a manifest::Manifests,
    pub(crate) options: OptionsView,
}

/// What a test report's template receives.
pub(crate) fn template_context<'a>(
    options: &Options,
    loaded: &'a Loaded,
    report: &'a model::Report,
) -> TemplateContext<'a> {
    TemplateContext {
        model: report,
        manifests: &loaded.manifests,
        options: OptionsView { ascii: options.ascii },
    }
}

/// The templates (built-ins, `--templates`, `--template`) and the name of the one to render.
pub(crate) fn templates(options: &Options, default: &str) -> Result<(render::TemplateSet, String), Error> {
    let mut set = render::TemplateSet::builtin();
    if let Some(dir) = &options.templates {
        set.add_dir(dir)?;
    }
    let name = template_name(&mut set, options.template.as_deref(), default)?;
    Ok((set, name))
}

/// Renders the chosen template with `ctx`: the render stage of both modes.
pub(crate) fn render_markdown<C: Serialize>(
    options: &Options,
    default: &str,
    ctx: &C,
    currency: &str,
) -> Result<String, Error> {
    let (set, name) = templates(options, default)?;
    let settings = render::FilterSettings { currency: currency.to_string(), ascii: options.ascii };
    render::render(&set, &name, ctx, &settings)
}

/// Stage 4, render: the output format's text.
pub(crate) fn render_text(
    options: &Options,
    loaded: &Loaded,
    measured: &Measurements,
    report: &model::Report,
) -> Result<String, Error> {
    let markdown = |report: &model::Report| -> Result<String, Error> {
        let default = match loaded.mode {
            inputs::Mode::Data(_) => render::DEFAULT_TEMPLATE,
            inputs::Mode::Results(_) => render::SUMMARY_TEMPLATE,
        };
        render_markdown(options, default, &template_context(options, loaded, report), &report.currency)
    };
    Ok(match options.format {
        Format::Json => pretty_json(report)?,
        Format::Markdown => markdown(report)?,
        Format::Html => render::html::page_with_charts(
            &markdown(report)?,
            &report.title,
            render::chart::for_report(report),
        ),
        Format::Ctrf => {
            let cases = measured.aggregator.as_ref().map(|a| a.cases.as_slice()).unwrap_or_default();
            pretty_json(&render::ctrf::document(report, cases))?
        }
        Format::Junit => {
            let cases = measured.aggregator.as_ref().map(|a| a.cases.as_slice()).unwrap_or_default();
            render::junit::document(report, cases)
        }
    })
}

pub(crate) fn pretty_json<T: Serialize>(value: &T) -> Result<String, Error> {
    let mut s = serde_json::to_string_pretty(value).map_err(|e| Error::Usage(e.to_string()))?;
    s.push('\n');
    Ok(s)
}

/// Resolves `--template`: a known template name, else a file added under its own name.
pub(crate) fn template_name(
    set: &mut render::TemplateSet,
    requested: Option<&str>,
    default: &str,
) -> Result<String, Error> {
    let Some(req) = requested else { return Ok(default.to_string()) };
    if set.sources.contains_key(req) {
        return Ok(req.to_string());
    }
    let path = Path::new(req);
    if path.is_file() {
        let name =
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| req.to_string());
        // A file named like a built-in (e.g. report.md extending report.md) keeps its path as name.
        let name = if set.sources.contains_key(&name) { req.to_string() } else { name };
        set.add_file(name.clone(), path)?;
        return Ok(name);
    }
    Ok(req.to_string())
}
