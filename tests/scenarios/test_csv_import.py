"""Building a region from a policy team's CSV of employment by industry."""

import pytest

from scenarios import ScenarioError, load_catalogue, region_from_csv


def problems(path, **kwargs):
    with pytest.raises(ScenarioError) as info:
        region_from_csv(path, **kwargs)
    return str(info.value).splitlines()


def test_minimal_csv_gets_defaults(write):
    path = write(
        "lakeside.csv",
        """\
        industry,employment
        automotive_ice_components,4700
        machinery,2000
        local_services,2700
        """,
    )
    region = region_from_csv(path)
    assert region.name == "lakeside"
    assert [i.key for i in region.industries] == [
        "automotive_ice_components",
        "machinery",
        "local_services",
    ]
    assert all(i.firms is None and i.district is None for i in region.industries)
    assert len(region.districts) == 3
    assert (region.width, region.height) == (40, 40)
    for d in region.districts:
        assert 5 <= d.x <= 34 and 5 <= d.y <= 34
    labour = [d.labour_force for d in region.districts]
    assert max(labour) - min(labour) <= 1  # split evenly
    assert sum(labour) == pytest.approx(9400 / 0.94, abs=3)
    types = sorted(i.type for i in region.institutions)
    assert types == sorted(
        [
            "training_institute",
            "technology_centre",
            "business_association",
            "development_agency",
            "university",
        ]
    )
    assert {i.district for i in region.institutions} == {region.districts[0].name}
    catalogue = {i.key: i for i in load_catalogue().industries}
    training = next(i for i in region.institutions if i.type == "training_institute")
    assert set(training.focus) <= set(catalogue["automotive_ice_components"].requires) | set(
        catalogue["machinery"].requires
    )
    assert training.focus[0] in catalogue["automotive_ice_components"].requires


def test_csv_with_firms_districts_semicolons_and_defaults(write):
    path = write(
        "valley.csv",
        """\
        Industry;Employment;Firms;District
        agriculture;3000;150;West
        food_processing;2500.0;;East
        local_services;2000;160;
        """,
    )
    region = region_from_csv(
        path, name="Valley", unemployment_rate=0.1, culture={"trust": 0.3}, local_sourcing=0.4
    )
    assert region.name == "Valley"
    assert [d.name for d in region.districts] == ["West", "East"]
    assert [(i.employment, i.firms, i.district) for i in region.industries] == [
        (3000, 150, "West"),
        (2500, None, "East"),
        (2000, 160, None),
    ]
    west, east = region.districts
    assert west.labour_force == pytest.approx((3000 + 1000) / 0.9, abs=1)
    assert east.labour_force == pytest.approx((2500 + 1000) / 0.9, abs=1)
    assert region.culture.trust == 0.3 and region.local_sourcing == 0.4
    assert region.unemployment_rate == 0.1


def test_same_industry_in_two_districts(write):
    path = write("two.csv", "industry,employment,district\nmachinery,100,A\nmachinery,50,B\n")
    region = region_from_csv(path)
    assert [(i.key, i.district) for i in region.industries] == [
        ("machinery", "A"),
        ("machinery", "B"),
    ]


def test_excel_bom_and_blank_lines(write):
    path = write("bom.csv", b"\xef\xbb\xbfindustry,employment\r\n\r\nmachinery,100\r\n")
    assert region_from_csv(path).industries[0].employment == 100


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "industry,jobs\nmachinery,5\n",
            [
                "bad.csv: header: unknown column 'jobs'; allowed columns: industry, employment, "
                "firms, district",
                "bad.csv: header: missing column 'employment'; allowed columns: industry, "
                "employment, firms, district",
            ],
        ),
        (
            "industry,employment\nwarp_drives,5\n",
            [
                "bad.csv: row 2, column industry: unknown industry 'warp_drives'; "
                "allowed: agriculture,"
            ],
        ),
        (
            "industry,employment\nmachinery,-3\n",
            [
                "bad.csv: row 2, column employment: '-3' is negative; allowed: a whole number of "
                "workers, 0 or more"
            ],
        ),
        (
            "industry,employment\nmachinery,lots\n",
            [
                "bad.csv: row 2, column employment: 'lots' is not a number; allowed: a whole "
                "number of workers, 0 or more"
            ],
        ),
        (
            "industry,employment\nmachinery,\n",
            ["bad.csv: row 2, column employment: empty; allowed: a whole number of workers"],
        ),
        (
            "industry,employment,firms\nmachinery,10,x\n",
            ["bad.csv: row 2, column firms: 'x' is not a number; allowed: a whole number of firms"],
        ),
        (
            "industry,employment\nmachinery,10\nmachinery,20\n",
            ["bad.csv: row 3, column industry: 'machinery' is listed twice (also in row 2)"],
        ),
        (
            "industry,employment\nmachinery,10,5\n",
            ["bad.csv: row 2: 3 values but 2 columns; allowed: one value per column"],
        ),
        ("", ["bad.csv: header: the file is empty; allowed: a header line"]),
        ("industry,employment\n", ["bad.csv: rows: the file has no data rows; allowed: one row"]),
        (b"\xff\xfe,\x00", ["bad.csv: (file): not valid CSV: the file is not UTF-8 text"]),
        (
            "industry,employment\nmachinery,inf\n",
            ["bad.csv: row 2, column employment: 'inf' is not a finite number"],
        ),
    ],
)
def test_bad_csv(write, text, expected):
    lines = problems(write("bad.csv", text))
    assert len(lines) == len(expected), lines
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start), line


def test_bad_defaults(write):
    path = write("ok.csv", "industry,employment\nmachinery,10\n")
    assert problems(path, foo=1) == [
        "ok.csv: foo: unknown key; allowed keys: name, description, width, height, "
        "unemployment_rate, local_sourcing, districts, industries, institutions, culture"
    ]
    assert problems(path, culture={"trust": 2}) == [
        "ok.csv: culture.trust: 2 is out of range; allowed: 0 to 1"
    ]


def test_missing_csv(write):
    assert problems("nothing.csv") == ["nothing.csv: (file): file not found"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "industry,employment,firms\nmachinery,100,12.7\n",
            "bad.csv: row 2, column firms: '12.7' is not a whole number; allowed: a whole number "
            "of firms, 0 or more",
        ),
        (
            "industry,employment\nmachinery,0.4\n",
            "bad.csv: row 2, column employment: '0.4' is not a whole number",
        ),
        ("industry,employment\nmachinery,NaN\n", "bad.csv: row 2, column employment: 'NaN' is not"),
        (
            "industry,employment\nmachinery,\u0661\u0662\u0663\u0664\n",
            "bad.csv: row 2, column employment: '\u0661\u0662\u0663\u0664' uses digits other "
            "than 0-9",
        ),
        ("industry,employment\nmachinery,1\x000\n", "bad.csv: row 2: holds a NUL byte"),
        ("industry,employment\nmachi\x1b[2Jnery,10\n", "bad.csv: row 2: holds the control"),
        (
            "industry,employment,jobs\nmachinery,10,3\n",
            "bad.csv: header: unknown column 'jobs'; allowed columns: industry, employment, firms, "
            "district",
        ),
        (
            "industry,employment,firms\nmachinery,10,50\n",
            "bad.csv: row 2, column firms: 50 firms for 10 workers; allowed: at most 1 per worker",
        ),
        (
            "industry,employment\nmachinery,99999999999999999999\n",
            "bad.csv: row 2, column employment: '99999999999999999999' is too large",
        ),
    ],
)
def test_strict_csv(write, text, expected):
    lines = problems(write("bad.csv", text.encode("utf-8")))
    assert len(lines) == 1 and lines[0].startswith(expected), lines


@pytest.mark.parametrize(
    "content",
    [
        b"industry,employment\rmachinery,1_200\r",
        b"\xef\xbb\xbfindustry;employment\r\nmachinery;1 200\r\n",
        b"Industry\tEmployment\nmachinery\t1200.0\n",
        b"industry,employment\nmachinery,1.2E+03",
    ],
)
def test_any_line_end_bom_and_whole_number_spellings(write, content):
    assert region_from_csv(write("ok.csv", content)).industries[0].employment == 1200


def test_file_names_become_region_slugs(write):
    path = write("my region (2024).csv", "industry,employment\nmachinery,10\n")
    assert region_from_csv(path).name == "my_region_2024"
