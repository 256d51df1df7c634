"""Tests of the pure lumpsum engine (contracts/lumpsum.py): no Django, no database.

Every worked example is computed by hand in the comments, to the cent.
"""

import json
import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.lumpsum import (
    PAYMENT_MONTHLY,
    PAYMENT_QUARTERLY,
    BidFigures,
    ContractLumpsum,
    Instalment,
    LumpsumReport,
    SegmentLumpsum,
    SegmentLumpsumIn,
    Winner,
    active_months,
    bid_amount,
    largest_remainder,
    lumpsum_report,
    payment_schedule,
    population_amounts,
    scale_to_budget,
    segment_lumpsum,
    settle,
    task_amounts,
    term_end,
)

D = Decimal
CENT = D("0.01")
PROPERTY = settings(deadline=None)  # max_examples: the profile of tests/conftest.py


def amounts(instalments):
    return [i.amount for i in instalments]


def dates(instalments):
    return [i.date for i in instalments]


def firsts(year, months):
    return [date(year, month, 1) for month in months]


# -- bid amount ----------------------------------------------------------------------------------


def test_bid_is_clients_times_months_times_hours_times_tariff():
    # 14 x 9 x 12 x 80.00 = 126 x 12 x 80 = 1512 x 80 = 120960.00 (the SCENARIO.md example)
    figures = BidFigures(clients=14, months=D("9"), hours_per_month=D("12"))
    assert bid_amount(figures, D("80.00")) == D("120960.00")


def test_bid_rounds_half_a_cent_up():
    # 1 x 1 x 0.5 x 62.25 = 31.125 -> 31.13 (half up; banker's rounding would give 31.12)
    figures = BidFigures(clients=1, months=D("1"), hours_per_month=D("0.5"))
    assert bid_amount(figures, D("62.25")) == D("31.13")
    # 3 x 1.5 x 2.5 x 10.01 = 11.25 x 10.01 = 112.6125 -> 112.61 (below the half: down)
    figures = BidFigures(clients=3, months=D("1.5"), hours_per_month=D("2.5"))
    assert bid_amount(figures, D("10.01")) == D("112.61")


def test_winner_without_bid_bids_nothing():
    assert bid_amount(None, D("80.00")) == D("0.00")


def test_negative_bid_figures_or_tariff_are_refused():
    with pytest.raises(ValueError):
        bid_amount(BidFigures(clients=-1, months=D("9"), hours_per_month=D("12")), D("80"))
    with pytest.raises(ValueError):
        bid_amount(BidFigures(clients=1, months=D("9"), hours_per_month=D("12")), D("-80"))


def test_float_money_is_refused():
    with pytest.raises(TypeError):
        bid_amount(BidFigures(clients=1, months=D("9"), hours_per_month=D("12")), 80.0)


# -- scaling to the budget -----------------------------------------------------------------------


def test_bids_above_budget_are_scaled_with_largest_remainder():
    # sum 1,200,000.00 > budget 1,000,000.00: factor 5/6
    #   30000001: 600000 x 5/6 = 500000.00         (remainder 0)
    #   30000002: 400000 x 5/6 = 333333.333.. -> floor 333333.33 (remainder 0.33 cent)
    #   30000003: 200000 x 5/6 = 166666.666.. -> floor 166666.66 (remainder 0.67 cent)
    # floors add up to 999999.99: 1 cent left, to the largest remainder (30000003), not to the
    # lower KvK.
    bids = {"30000001": D("600000.00"), "30000002": D("400000.00"), "30000003": D("200000.00")}
    result, scaled = scale_to_budget(bids, D("1000000.00"))
    assert scaled is True
    assert result == {
        "30000001": D("500000.00"),
        "30000002": D("333333.33"),
        "30000003": D("166666.67"),
    }


def test_equal_remainders_give_the_leftover_cents_to_the_lower_kvk_first():
    # three bids of 100.00, budget 200.00: each share 66.666.. -> floor 66.66, all remainders
    # 0.67 cent; floors add up to 199.98, 2 cents left -> 30000001 and 30000002 (lowest KvK).
    # The input order is deliberately not the KvK order.
    bids = {"30000003": D("100.00"), "30000001": D("100.00"), "30000002": D("100.00")}
    result, scaled = scale_to_budget(bids, D("200.00"))
    assert scaled is True
    assert result == {
        "30000001": D("66.67"),
        "30000002": D("66.67"),
        "30000003": D("66.66"),
    }


def test_bids_exactly_at_budget_are_not_scaled():
    bids = {"30000001": D("600000.00"), "30000002": D("400000.00")}
    assert scale_to_budget(bids, D("1000000.00")) == (bids, False)


def test_without_budget_the_bids_stand():
    bids = {"30000001": D("600000.00"), "30000002": D("400000.00")}
    assert scale_to_budget(bids, None) == (bids, False)


def test_budget_or_bid_in_fractions_of_cents_is_refused():
    with pytest.raises(ValueError):
        scale_to_budget({"30000001": D("10.00")}, D("5.001"))
    with pytest.raises(ValueError):
        scale_to_budget({"30000001": D("10.005")}, D("5.00"))
    with pytest.raises(ValueError):
        scale_to_budget({"30000001": D("10.00")}, D("-5.00"))


# -- active months and the payment schedule ------------------------------------------------------


def test_active_months_count_only_whole_months_from_the_start():
    assert active_months(date(2022, 1, 1), 2022) == list(range(1, 13))
    assert active_months(date(2022, 8, 1), 2022) == [8, 9, 10, 11, 12]
    assert active_months(date(2022, 8, 15), 2022) == [9, 10, 11, 12]
    assert active_months(date(2022, 8, 1), 2021) == []
    assert active_months(date(2021, 8, 15), 2022) == list(range(1, 13))


def test_active_months_end_with_the_last_whole_month_of_the_term():
    assert term_end(date(2021, 8, 15), 3) == date(2024, 8, 14)
    assert active_months(date(2021, 8, 15), 2024, date(2024, 8, 14)) == list(range(1, 8))
    assert active_months(date(2021, 8, 1), 2024, date(2024, 7, 31)) == list(range(1, 8))
    assert active_months(date(2022, 1, 1), 2024, date(2024, 12, 31)) == list(range(1, 13))
    assert active_months(date(2022, 1, 1), 2025, date(2024, 12, 31)) == []
    assert active_months(None, 2030) == list(range(1, 13))  # no start date: the whole year


def test_task_and_population_amounts_add_up_to_the_cent():
    # 100 / 3 = 33.333.. each, the cent left over to the lower KvK
    assert task_amounts(D("100.00"), {"2": None, "1": 0, "3": 0}) == {
        "1": D("33.34"),
        "2": D("33.33"),
        "3": D("33.33"),
    }
    # 10.00 by 1 and 2 clients: 3.333.. and 6.666..: the cent to the larger remainder
    assert task_amounts(D("10.00"), {"1": 1, "2": 2}) == {"1": D("3.33"), "2": D("6.67")}
    # inhabitants 0 and 0: every municipality counts 1; M1 to A, M2 shared: A 7.50, B 2.50
    amounts = population_amounts(
        D("10.00"), [("M1", 0), ("M2", 0)], {"A": frozenset({"M1", "M2"}), "B": frozenset({"M2"})}
    )
    assert amounts == {"A": D("7.50"), "B": D("2.50")}
    # M2 served by nobody: only M1's 2/3 of 1.00 = 0.666.. is paid, rounded 0.67
    amounts = population_amounts(D("1.00"), [("M1", 2), ("M2", 1)], {"A": frozenset({"M1"})})
    assert amounts == {"A": D("0.67")}


def test_monthly_full_year_pays_twelve_equal_instalments_on_the_first():
    # 120960.00 / 12 = 10080.00 exactly
    total, instalments = payment_schedule(
        D("120960.00"), start_date=date(2022, 1, 1), year=2022, payment=PAYMENT_MONTHLY
    )
    assert total == D("120960.00")
    assert amounts(instalments) == [D("10080.00")] * 12
    assert dates(instalments) == firsts(2022, range(1, 13))


def test_start_on_1_august_pays_five_monthly_instalments_pro_rata():
    # Aug..Dec = 5 months: year total 120960.00 x 5 / 12 = 50400.00 = 5 x 10080.00
    total, instalments = payment_schedule(
        D("120960.00"), start_date=date(2022, 8, 1), year=2022, payment=PAYMENT_MONTHLY
    )
    assert total == D("50400.00")
    assert amounts(instalments) == [D("10080.00")] * 5
    assert dates(instalments) == firsts(2022, range(8, 13))


def test_start_mid_month_starts_paying_the_next_month():
    # start 15 Aug: August is not a whole month, so Sep..Dec = 4 months: 4 x 10080.00 = 40320.00
    total, instalments = payment_schedule(
        D("120960.00"), start_date=date(2022, 8, 15), year=2022, payment=PAYMENT_MONTHLY
    )
    assert total == D("40320.00")
    assert amounts(instalments) == [D("10080.00")] * 4
    assert dates(instalments) == firsts(2022, range(9, 13))


def test_quarterly_full_year_pays_four_instalments_at_quarter_start():
    # 120960.00 / 12 x 3 = 30240.00 per quarter
    total, instalments = payment_schedule(
        D("120960.00"), start_date=date(2022, 1, 1), year=2022, payment=PAYMENT_QUARTERLY
    )
    assert total == D("120960.00")
    assert amounts(instalments) == [D("30240.00")] * 4
    assert dates(instalments) == firsts(2022, [1, 4, 7, 10])


def test_quarterly_start_mid_quarter_pays_the_rest_of_that_quarter_first():
    # start 1 Aug: Q3 has Aug + Sep active -> paid 1 Aug, 2 x 10080.00 = 20160.00;
    # Q4 -> paid 1 Oct, 30240.00; year total 5 months = 50400.00
    total, instalments = payment_schedule(
        D("120960.00"), start_date=date(2022, 8, 1), year=2022, payment=PAYMENT_QUARTERLY
    )
    assert total == D("50400.00")
    assert instalments == (
        Instalment(date(2022, 8, 1), D("20160.00")),
        Instalment(date(2022, 10, 1), D("30240.00")),
    )
    # start 15 Aug: only Sep of Q3 is whole -> paid 1 Sep, 10080.00; Q4 30240.00; total 40320.00
    total, instalments = payment_schedule(
        D("120960.00"), start_date=date(2022, 8, 15), year=2022, payment=PAYMENT_QUARTERLY
    )
    assert total == D("40320.00")
    assert instalments == (
        Instalment(date(2022, 9, 1), D("10080.00")),
        Instalment(date(2022, 10, 1), D("30240.00")),
    )


@pytest.mark.parametrize("payment", [PAYMENT_MONTHLY, PAYMENT_QUARTERLY])
def test_year_before_the_start_pays_nothing(payment):
    assert payment_schedule(
        D("120960.00"), start_date=date(2022, 8, 1), year=2021, payment=payment
    ) == (D("0.00"), ())


def test_year_after_the_start_pays_the_full_year():
    # started 1 Aug 2021; 2022 is a whole year: 12 x 10080.00
    total, instalments = payment_schedule(
        D("120960.00"), start_date=date(2021, 8, 1), year=2022, payment=PAYMENT_MONTHLY
    )
    assert total == D("120960.00")
    assert amounts(instalments) == [D("10080.00")] * 12
    assert dates(instalments) == firsts(2022, range(1, 13))


def test_remainder_lands_on_the_last_instalment():
    # 1000.00 / 12 = 83.333.. -> 83.33 x 11 = 916.63; last = 1000.00 - 916.63 = 83.37
    total, instalments = payment_schedule(
        D("1000.00"), start_date=date(2022, 1, 1), year=2022, payment=PAYMENT_MONTHLY
    )
    assert total == D("1000.00")
    assert amounts(instalments) == [D("83.33")] * 11 + [D("83.37")]
    # 1000.06 / 12 = 83.33833.. -> 83.34 x 11 = 916.74; last = 1000.06 - 916.74 = 83.32
    total, instalments = payment_schedule(
        D("1000.06"), start_date=date(2022, 1, 1), year=2022, payment=PAYMENT_MONTHLY
    )
    assert amounts(instalments) == [D("83.34")] * 11 + [D("83.32")]
    # quarterly 1000.01: 1000.01 / 12 x 3 = 250.0025 -> 250.00 x 3; last = 1000.01 - 750.00
    total, instalments = payment_schedule(
        D("1000.01"), start_date=date(2022, 1, 1), year=2022, payment=PAYMENT_QUARTERLY
    )
    assert amounts(instalments) == [D("250.00")] * 3 + [D("250.01")]


def test_remainder_of_a_partial_year_lands_on_the_last_instalment():
    # start 1 Aug, 1000.00: year total 1000 x 5 / 12 = 416.666.. -> 416.67;
    # 4 x 83.33 = 333.32; last = 416.67 - 333.32 = 83.35
    total, instalments = payment_schedule(
        D("1000.00"), start_date=date(2022, 8, 1), year=2022, payment=PAYMENT_MONTHLY
    )
    assert total == D("416.67")
    assert amounts(instalments) == [D("83.33")] * 4 + [D("83.35")]


def test_tiny_amount_never_gives_a_negative_instalment():
    # 0.06 / 12 = 0.005 -> 0.01 each; the literal rule would pay 11 x 0.01 = 0.11 and a last
    # instalment of 0.06 - 0.11 = -0.05. No instalment exceeds what is left of the year total:
    # 6 x 0.01, then 0.00.
    total, instalments = payment_schedule(
        D("0.06"), start_date=date(2022, 1, 1), year=2022, payment=PAYMENT_MONTHLY
    )
    assert total == D("0.06")
    assert amounts(instalments) == [D("0.01")] * 6 + [D("0.00")] * 6


def test_unknown_payment_rhythm_or_negative_amount_is_refused():
    with pytest.raises(ValueError):
        payment_schedule(D("100.00"), start_date=date(2022, 1, 1), year=2022, payment="weekly")
    with pytest.raises(ValueError):
        payment_schedule(D("-1.00"), start_date=date(2022, 1, 1), year=2022, payment="monthly")


# -- segment and report --------------------------------------------------------------------------


def bid(clients, months, hours):
    return BidFigures(clients=clients, months=D(months), hours_per_month=D(hours))


def test_segment_scales_orders_by_bidder_and_pays_winner_without_bid_nothing():
    # tariff 100.00, budget 90000.00, bids:
    #   30000001: 5 x 6 x 10 x 100 = 30000.00     30000002: 10 x 6 x 10 x 100 = 60000.00
    #   30000003: no bid -> 0.00                  30000004: 1 x 1 x 1 x 100 = 100.00
    # sum 90100.00 > 90000.00, factor 900/901:
    #   30000001: 27000000/901 = 29966.7036.. -> floor 29966.70 (remainder 0.37 cent)
    #   30000002: 54000000/901 = 59933.4073.. -> floor 59933.40 (remainder 0.73 cent)
    #   30000003: 0.00
    #   30000004: 90000/901    = 99.8890..    -> floor 99.88    (remainder 0.89 cent)
    # floors add up to 89999.98: 2 cents left -> 30000004, then 30000002
    segment = SegmentLumpsumIn(
        code="JH-1",
        tariff=D("100.00"),
        budget=D("90000.00"),
        start_date=date(2022, 1, 1),
        payment=PAYMENT_QUARTERLY,
        winners=(
            Winner("30000002", bid(10, "6", "10")),
            Winner("30000003", None),
            Winner("30000004", bid(1, "1", "1")),
            Winner("30000001", bid(5, "6", "10")),
        ),
    )
    result = segment_lumpsum(segment, year=2022)
    assert result.scaled is True
    assert [c.bidder for c in result.contracts] == ["30000001", "30000002", "30000003", "30000004"]
    assert [c.bid for c in result.contracts] == [
        D("30000.00"),
        D("60000.00"),
        D("0.00"),
        D("100.00"),
    ]
    assert [c.amount for c in result.contracts] == [
        D("29966.70"),
        D("59933.41"),
        D("0.00"),
        D("99.89"),
    ]
    no_bid = result.contracts[2]
    assert no_bid.year_total == D("0.00")
    assert amounts(no_bid.instalments) == [D("0.00")] * 4
    # 29966.70 quarterly: 29966.70 / 4 = 7491.675 -> 7491.68 x 3 = 22475.04; last 7491.66
    assert amounts(result.contracts[0].instalments) == [D("7491.68")] * 3 + [D("7491.66")]


def test_same_bidder_twice_in_a_segment_is_refused():
    segment = SegmentLumpsumIn(
        "JH-1",
        D("100"),
        None,
        date(2022, 1, 1),
        PAYMENT_MONTHLY,
        (Winner("30000001", None), Winner("30000001", None)),
    )
    with pytest.raises(ValueError):
        segment_lumpsum(segment, year=2022)


def test_report_to_dict_has_the_scenario_shape_and_key_order():
    segments = [
        SegmentLumpsumIn(
            code="JH-2",
            tariff=D("62.50"),
            budget=None,
            start_date=date(2022, 8, 1),
            payment=PAYMENT_MONTHLY,
            # 2 x 6 x 4 x 62.50 = 3000.00; 2022 from 1 Aug: 5 x 250.00 = 1250.00
            winners=(Winner("30000009", bid(2, "6", "4")),),
        ),
        SegmentLumpsumIn(
            code="BW-BESCHUT",
            tariff=D("80.00"),
            budget=D("900000"),
            start_date=date(2022, 1, 1),
            payment=PAYMENT_MONTHLY,
            winners=(Winner("30000001", bid(14, "9", "12")),),  # 120960.00, see above
        ),
    ]
    report = lumpsum_report("inkoop-2022", segments, year=2022)
    assert isinstance(report, LumpsumReport)
    data = report.to_dict()

    bw_instalments = [
        {"date": f"2022-{month:02d}-01", "amount": "10080.00"} for month in range(1, 13)
    ]
    jh_instalments = [
        {"date": f"2022-{month:02d}-01", "amount": "250.00"} for month in range(8, 13)
    ]
    expected = {
        "tender": "inkoop-2022",
        "year": 2022,
        "segments": [
            {
                "segment": "BW-BESCHUT",
                "budget": "900000.00",
                "scaled": False,
                "contracts": [
                    {
                        "bidder": "30000001",
                        "bid": "120960.00",
                        "amount": "120960.00",
                        "year_total": "120960.00",
                        "instalments": bw_instalments,
                    }
                ],
            },
            {
                "segment": "JH-2",
                "budget": None,
                "scaled": False,
                "contracts": [
                    {
                        "bidder": "30000009",
                        "bid": "3000.00",
                        "amount": "3000.00",
                        "year_total": "1250.00",
                        "instalments": jh_instalments,
                    }
                ],
            },
        ],
    }
    assert data == expected
    # Same keys in the same order, all the way down (dict equality ignores order).
    assert json.dumps(data) == json.dumps(expected)
    assert list(data) == ["tender", "year", "segments"]
    assert list(data["segments"][0]) == ["segment", "budget", "scaled", "contracts"]
    assert list(data["segments"][0]["contracts"][0]) == [
        "bidder",
        "bid",
        "amount",
        "year_total",
        "instalments",
    ]
    assert list(data["segments"][0]["contracts"][0]["instalments"][0]) == ["date", "amount"]


def test_report_of_a_year_before_the_start_has_zero_totals_and_no_instalments():
    segment = SegmentLumpsumIn(
        "DYS",
        D("80.00"),
        None,
        date(2022, 8, 1),
        PAYMENT_MONTHLY,
        (Winner("30000001", bid(14, "9", "12")),),
    )
    report = lumpsum_report("inkoop-2022", [segment], year=2021)
    assert report.segments == (
        SegmentLumpsum(
            "DYS",
            None,
            False,
            (ContractLumpsum("30000001", D("120960.00"), D("120960.00"), D("0.00"), ()),),
        ),
    )
    contract = report.to_dict()["segments"][0]["contracts"][0]
    assert contract["year_total"] == "0.00"
    assert contract["instalments"] == []


# -- settlement ----------------------------------------------------------------------------------

# L = 100000.00, b = 0.05: band edges L(1 - b) = 95000.00 and L(1 + b) = 105000.00


def settle_100k(realised, pay_above_band=True):
    return settle(
        lumpsum=D("100000.00"), realised=D(realised), band=D("0.05"), pay_above_band=pay_above_band
    )


def test_settlement_within_band_changes_nothing():
    result = settle_100k("98000.00")
    assert (result.outcome, result.amount) == ("within_band", D("0.00"))
    assert (result.lower, result.upper) == (D("95000.00"), D("105000.00"))


@pytest.mark.parametrize("realised", ["95000.00", "105000.00"])
@pytest.mark.parametrize("pay_above_band", [True, False])
def test_settlement_exactly_at_a_band_edge_changes_nothing(realised, pay_above_band):
    result = settle_100k(realised, pay_above_band)
    assert (result.outcome, result.amount) == ("within_band", D("0.00"))


def test_settlement_below_band_reclaims_down_to_the_lower_edge():
    # 95000.00 - 90000.00 = 5000.00
    result = settle_100k("90000.00")
    assert (result.outcome, result.amount) == ("reclaim", D("5000.00"))


def test_settlement_above_band_pays_extra_or_is_borne_by_provider():
    # 110000.00 - 105000.00 = 5000.00
    paid = settle_100k("110000.00", pay_above_band=True)
    assert (paid.outcome, paid.amount) == ("pay_extra", D("5000.00"))
    borne = settle_100k("110000.00", pay_above_band=False)
    assert (borne.outcome, borne.amount) == ("provider_bears", D("0.00"))


def test_settlement_rounds_half_a_cent_up_and_ignores_sub_cent_excess():
    # L = 100.01, b = 0.05: lower = 95.0095 (shown 95.01), upper = 105.0105 (shown 105.01)
    # R = 95.00: reclaim 0.0095 -> 0.01
    result = settle(lumpsum=D("100.01"), realised=D("95.00"), band=D("0.05"), pay_above_band=True)
    assert (result.lower, result.upper) == (D("95.01"), D("105.01"))
    assert (result.outcome, result.amount) == ("reclaim", D("0.01"))
    # L = 100.11: lower = 95.1045; R = 95.10 is 0.0045 below it -> rounds to 0.00 -> nothing
    result = settle(lumpsum=D("100.11"), realised=D("95.10"), band=D("0.05"), pay_above_band=True)
    assert (result.lower, result.outcome, result.amount) == (D("95.10"), "within_band", D("0.00"))


@pytest.mark.parametrize(
    ("lumpsum", "realised", "band"),
    [
        (D("-1.00"), D("0.00"), D("0.05")),
        (D("100.00"), D("-0.01"), D("0.05")),
        (D("100.00"), D("100.00"), D("-0.01")),
        (D("100.00"), D("100.00"), D("1")),
        (D("100.00"), D("100.00"), D("NaN")),
    ],
)
def test_bad_settlement_input_is_refused(lumpsum, realised, band):
    with pytest.raises(ValueError):
        settle(lumpsum=lumpsum, realised=realised, band=band, pay_above_band=True)


def test_float_settlement_input_is_refused():
    with pytest.raises(TypeError):
        settle(lumpsum=100.0, realised=D("90"), band=D("0.05"), pay_above_band=True)


# -- properties ----------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=10**11).map(lambda c: Decimal(c) / 100)
kvks = st.integers(min_value=10_000_000, max_value=99_999_999).map(str)
payments = st.sampled_from([PAYMENT_MONTHLY, PAYMENT_QUARTERLY])
starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31))


def half_up(value: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 200
        return (D(value.numerator) / D(value.denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


@PROPERTY
@given(bids=st.dictionaries(kvks, cents, min_size=1, max_size=12), budget=cents)
def test_scaled_amounts_add_up_to_the_budget_and_never_exceed_a_bid(bids, budget):
    result, scaled = scale_to_budget(bids, budget)
    total = sum(bids.values())
    assert scaled is (total > budget)
    assert set(result) == set(bids)
    if not scaled:
        assert result == bids
        return
    assert sum(result.values()) == budget
    for bidder, amount in result.items():
        share = Fraction(bids[bidder]) * Fraction(budget) / Fraction(total) * 100
        assert 0 <= amount <= bids[bidder]
        assert math.floor(share) <= amount * 100 <= math.floor(share) + 1


@PROPERTY
@given(
    figures=st.builds(
        BidFigures,
        clients=st.integers(0, 10_000),
        months=st.decimals(0, 120, places=2),
        hours_per_month=st.decimals(0, 200, places=2),
    ),
    tariff=st.decimals(0, 500, places=2),
)
def test_bid_amount_matches_decimal_half_up(figures, tariff):
    exact = Fraction(figures.clients) * Fraction(figures.months)
    exact *= Fraction(figures.hours_per_month) * Fraction(tariff)
    assert bid_amount(figures, tariff) == half_up(exact)


@PROPERTY
@given(
    amount=cents,
    start=starts,
    year=st.integers(1999, 2037),
    payment=payments,
)
def test_instalments_add_up_to_the_year_total_and_are_never_negative(amount, start, year, payment):
    total, instalments = payment_schedule(amount, start_date=start, year=year, payment=payment)
    months = active_months(start, year)
    assert total == half_up(Fraction(amount) * len(months) / 12)
    assert sum(amounts(instalments), D("0.00")) == total
    assert all(i.amount >= 0 for i in instalments)
    assert all(i.date.year == year and i.date.day == 1 and i.date >= start for i in instalments)
    assert dates(instalments) == sorted(set(dates(instalments)))
    if payment == PAYMENT_MONTHLY:
        assert dates(instalments) == firsts(year, months)
    else:
        assert len(instalments) == len({(m - 1) // 3 for m in months})
    if amount >= D("0.72") and instalments:
        # From 0.72 on the literal rule holds: each but the last is m x its months, rounded.
        if payment == PAYMENT_MONTHLY:
            sizes = [1] * len(months)
        else:
            quarters = [(m - 1) // 3 for m in months]
            sizes = [quarters.count(q) for q in sorted(set(quarters))]
        per_month = Fraction(amount) / 12
        expected = [half_up(per_month * size) for size in sizes[:-1]]
        assert amounts(instalments)[:-1] == expected


@PROPERTY
@given(
    lumpsum=cents,
    realised=cents,
    band=st.decimals(0, D("0.99"), places=2),
    pay_above_band=st.booleans(),
)
def test_settlement_amount_is_never_negative_and_matches_the_outcome(
    lumpsum, realised, band, pay_above_band
):
    result = settle(lumpsum=lumpsum, realised=realised, band=band, pay_above_band=pay_above_band)
    real = Fraction(realised)
    lower = Fraction(lumpsum) * (1 - Fraction(band))
    upper = Fraction(lumpsum) * (1 + Fraction(band))
    shortfall = half_up(lower - real) if real < lower else D("0.00")
    excess = half_up(real - upper) if real > upper else D("0.00")
    assert result.amount >= 0
    assert (result.lower, result.upper) == (half_up(lower), half_up(upper))
    if result.outcome == "within_band":
        assert result.amount == shortfall == excess == 0
    elif result.outcome == "reclaim":
        assert result.amount == shortfall > 0
    elif result.outcome == "pay_extra":
        assert pay_above_band and result.amount == excess > 0
    else:
        assert result.outcome == "provider_bears"
        assert not pay_above_band and result.amount == 0 and excess > 0


def test_largest_remainder_is_the_one_split_of_money():
    # 100 cents over three equal weights: one leftover cent, to the lowest key.
    assert largest_remainder(100, {"b": 1, "a": 1, "c": 1}) == {"b": 33, "a": 34, "c": 33}
    # Exact fractions as weights (the budget scaling passes the exact bids).
    assert largest_remainder(1000, {"x": Fraction(1, 3), "y": Fraction(2, 3)}) == {
        "x": 333,
        "y": 667,
    }
    assert largest_remainder(0, {"x": 5}) == {"x": 0}


@PROPERTY
@given(
    total=st.integers(min_value=0, max_value=10**9),
    weights=st.dictionaries(
        st.text("ABCDEFGH", min_size=1, max_size=3),
        st.integers(min_value=0, max_value=10**6),
        min_size=1,
        max_size=8,
    ).filter(lambda w: sum(w.values()) > 0),
)
def test_largest_remainder_adds_up_and_stays_within_a_cent(total, weights):
    split = largest_remainder(total, weights)
    assert sum(split.values()) == total
    whole = sum(weights.values())
    for key, weight in weights.items():
        assert abs(split[key] - Fraction(total * weight, whole)) < 1
