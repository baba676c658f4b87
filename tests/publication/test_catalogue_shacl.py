"""The DCAT-AP catalogue against SHACL shapes, and read as a harvester reads it: the catalogue,
each dataset with what a portal needs to list it, each distribution with an address that
answers, a format and a licence.

The shapes are our own (tests/data/dcat-ap/plateforme-dcat-ap.ttl, written from the DCAT-AP
3.0.0 specification); the official ones are not kept in the repository, but the same checks
run against them too when DCAT_AP_SHAPES names their files (tests/data/dcat-ap/README.txt)."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pyshacl
import pytest
import rdflib

from .test_catalogue import _graph
from .test_consultation_api import data  # noqa: F401
from .test_data_package import published  # noqa: F401

OWN_SHAPES = Path(__file__).parent.parent / "data" / "dcat-ap" / "plateforme-dcat-ap.ttl"
# The release's own shapes (CC BY 4.0, © European Union), at the commits last checked against.
OFFICIAL = ("https://github.com/SEMICeu/DCAT-AP/blob/635ad2abc0ee22c273c4e7287693bf60d4fc0734/"
            "releases/3.0.0/shacl/dcat-ap-SHACL.ttl",
            "https://github.com/SEMICeu/DCAT-AP/blob/60aff841870d44ca5e9b272935f414bfebecd389/"
            "releases/3.0.0/html/shacl/shapes_recommended.ttl")
DCAT, DCTERMS, FOAF, RDF, SH = (rdflib.namespace.DCAT, rdflib.namespace.DCTERMS, rdflib.namespace.FOAF,
                                rdflib.namespace.RDF, rdflib.namespace.SH)


def _official_shapes() -> rdflib.Graph:
    """Every file DCAT_AP_SHAPES names, less empty `sh:property [ ]` placeholders (the
    release's shapes_recommended.ttl has some): they constrain nothing, and pyshacl refuses a
    property shape without a path."""
    paths = [p for p in os.environ.get("DCAT_AP_SHAPES", "").split(os.pathsep) if p]
    if not paths:
        pytest.skip("the official DCAT-AP 3.0.0 shapes are not in the repository: download "
                    f"{' and '.join(OFFICIAL)}, then set DCAT_AP_SHAPES to their paths, separated by "
                    f"'{os.pathsep}' (tests/data/dcat-ap/README.txt)")
    shapes = rdflib.Graph()
    for path in paths:
        shapes.parse(path, format="turtle")
    for shape, empty in list(shapes.subject_objects(SH.property)):
        if isinstance(empty, rdflib.BNode) and not any(shapes.predicate_objects(empty)):
            shapes.remove((shape, SH.property, empty))
    return shapes


# The recommendations the catalogue cannot follow, by the class of the node they concern and
# the property, with why; any other warning is one it can (and so must) follow.
UNMET = {
    (DCAT.Catalog, DCTERMS.issued): "the catalogue's first release date is not recorded anywhere",
    (DCAT.Catalog, DCTERMS.spatial): "the catalogue spans whatever its datasets cover (each states its own), "
                                     "and a dataset with no row yet covers no territory",
    (DCAT.Dataset, DCTERMS.spatial): "a dataset with no row yet covers no territory",
    (FOAF.Agent, DCTERMS.type): "the publisher's type (ADMS: local authority, academia…) depends on who runs "
                                "the site",
    (DCTERMS.Location, DCAT.bbox): "the platform keeps territories' codes and names, no geometry",
    (DCTERMS.Location, DCAT.centroid): "the platform keeps territories' codes and names, no geometry",
    (DCTERMS.PeriodOfTime, DCAT.startDate): "a dataset with no dated row yet has no known start",
    (DCTERMS.PeriodOfTime, DCAT.endDate): "a dataset with no dated row yet has no known end",
}


def assert_meets(graph: rdflib.Graph, shapes: rdflib.Graph, inference: str = "none") -> None:
    """No violation, no warning but those of UNMET, nothing of severity Info."""
    _conforms, results, text = pyshacl.validate(graph, shacl_graph=shapes, inference=inference,
                                               allow_warnings=True)
    by_severity = {severity: [r for r in results.subjects(RDF.type, SH.ValidationResult)
                              if results.value(r, SH.resultSeverity) == severity]
                   for severity in (SH.Violation, SH.Warning, SH.Info)}
    assert not by_severity[SH.Violation], text
    for result in by_severity[SH.Warning]:
        path = results.value(result, SH.resultPath)
        classes = set(graph.objects(results.value(result, SH.focusNode), RDF.type))
        assert any((cls, path) in UNMET for cls in classes), f"{path} unmet\n{text}"
    assert not by_severity[SH.Info], text


def test_the_catalogue_meets_dcat_ap_by_our_shapes(client, published):  # noqa: F811
    """Mandatory properties and ranges, and every recommendation but those of UNMET. No
    inference: each value states its class itself (a format is a dct:MediaTypeOrExtent…), as a
    validator that loads no vocabulary needs."""
    assert_meets(_graph(client), rdflib.Graph().parse(OWN_SHAPES, format="turtle"))


def test_our_shapes_catch_a_catalogue_gone_wrong(client, published):  # noqa: F811
    """A format back to a plain string and a dataset without its title are violations; a
    dataset without its contact point a warning, not one of UNMET."""
    graph = _graph(client)
    dataset = next(graph.subjects(RDF.type, DCAT.Dataset))
    distribution = next(graph.objects(dataset, DCAT.distribution))
    graph.set((distribution, DCTERMS["format"], rdflib.Literal("CSV")))
    graph.remove((dataset, DCTERMS.title, None))
    graph.remove((dataset, DCAT.contactPoint, None))
    _conforms, results, _text = pyshacl.validate(graph, shacl_graph=rdflib.Graph().parse(OWN_SHAPES),
                                                allow_warnings=True)
    found = {(results.value(r, SH.focusNode), results.value(r, SH.resultPath), results.value(r, SH.resultSeverity))
             for r in results.subjects(RDF.type, SH.ValidationResult)}
    assert {(distribution, DCTERMS["format"], SH.Violation), (dataset, DCTERMS.title, SH.Violation),
            (dataset, DCAT.contactPoint, SH.Warning)} <= found


def test_the_catalogue_meets_the_official_dcat_ap_shapes(client, published):  # noqa: F811
    """The same against the release's own shapes, RDFS inference on: they require the value of
    dcat:accessURL and dcat:downloadURL to be an rdfs:Resource, which under RDFS every resource
    is, and which no document states of itself."""
    shapes = _official_shapes()
    assert_meets(_graph(client), shapes, inference="rdfs")


def test_a_harvester_finds_every_dataset_and_downloads_every_file(client, published):  # noqa: F811
    """As a portal's DCAT harvester reads the document (udata's, ckanext-dcat's): from the one
    dcat:Catalog along dcat:dataset, each dataset with an identifier, title, description and
    distributions, each distribution with an address that answers, a format or media type and a
    licence document."""
    graph = _graph(client)
    package = client.get("/observatoire/donnees/datapackage.json").get_json()
    (catalogue,) = graph.subjects(RDF.type, DCAT.Catalog)
    datasets = list(graph.objects(catalogue, DCAT.dataset))
    assert {str(graph.value(d, DCTERMS.identifier)) for d in datasets} == {r["name"] for r in package["resources"]}
    for dataset in datasets:
        name = str(graph.value(dataset, DCTERMS.identifier))
        assert (dataset, RDF.type, DCAT.Dataset) in graph, name
        assert graph.value(dataset, DCTERMS.title) and graph.value(dataset, DCTERMS.description), name
        distributions = list(graph.objects(dataset, DCAT.distribution))
        assert distributions, name
        for distribution in distributions:
            assert (distribution, RDF.type, DCAT.Distribution) in graph, name
            address = graph.value(distribution, DCAT.downloadURL) or graph.value(distribution, DCAT.accessURL)
            assert graph.value(distribution, DCTERMS["format"]) or graph.value(distribution, DCAT.mediaType), name
            licence = graph.value(distribution, DCTERMS.license)
            assert (licence, RDF.type, DCTERMS.LicenseDocument) in graph and graph.value(licence, DCTERMS.title)
            url = urlsplit(str(address))
            assert url.netloc == "localhost", address  # absolute, on this site
            assert client.get(url.path, query_string=url.query).status_code == 200, address

