"""Parameters of the network model: documented, typed module globals read at call time.

Change one at run time (``mobility.network.params.TRANSFER_PENALTY_MIN = 8.0``) and the next
scenario uses it; the scenario cache key includes every value here, so cached results never go
stale. The values and their sources are discussed in ``docs/network.md``.
"""

from __future__ import annotations

# ---- public transport ------------------------------------------------------------------------
#: Penalty added to the generalised time of every boarding after the first (minutes).
TRANSFER_PENALTY_MIN: float = 5.0
#: Waiting time at a boarding is this share of the headway (random arrivals: one half).
WAIT_SHARE_OF_HEADWAY: float = 0.5
#: The initial wait (first boarding, generalised time only) is capped: travellers on lines with
#: long headways consult the timetable (minutes).
MAX_INITIAL_WAIT_MIN: float = 15.0
#: Stations closer than this are linked by a transfer walk (metres, straight line).
TRANSFER_WALK_MAX_M: float = 450.0
#: Fixed time added to a transfer walk between two stations (minutes: stairs, platforms).
TRANSFER_WALK_EXTRA_MIN: float = 2.0
#: Straight-line distance times this factor is the rail length of a new line that does not
#: follow existing track (tunnels, new lines in the catalogue).
NEW_RAIL_CIRCUITY: float = 1.15

# ---- access and egress legs of a zone --------------------------------------------------------
#: Walking speed (km/h) and the longest walk to or from a station or stop (metres).
WALK_SPEED_KMH: float = 4.8
WALK_MAX_M: float = 1200.0
#: Cycling speed (km/h), the longest bicycle access leg (metres) and the time to park a bicycle
#: at a station (minutes). Bicycles are used for access only (not at the destination end).
BIKE_SPEED_KMH: float = 15.0
BIKE_MAX_M: float = 5000.0
BIKE_PARKING_MIN: float = 3.0
#: Feeder bus to a station (local buses that the network does not model line by line): speed
#: (km/h), longest leg (metres), and its wait plus transfer penalty (minutes).
FEEDER_SPEED_KMH: float = 20.0
FEEDER_MAX_M: float = 15000.0
FEEDER_WAIT_MIN: float = 10.0
#: Access and egress mode choice (``zones.pt_legs``): a multinomial logit over walking,
#: cycling and the feeder bus per (zone, station), utility ``-SCALE * (cost + ASC)`` with cost
#: in generalised minutes (time, plus bicycle parking for cycling, plus ``FEEDER_WAIT_MIN`` for
#: the feeder). The leg's generalised cost is the logsum (expected minimum), its time the
#: share-weighted time. See ``docs/model.md`` (section 6).
#: Scale of the access logit (per generalised minute). ASSUMPTION, range 0.10-0.30: the time
#: coefficients of short-trip mode choice models lie in this band; 0.2 makes a 5-minute
#: difference a 73/27 split.
ACCESS_LOGIT_SCALE_PER_MIN: float = 0.2
#: Alternative-specific constant of cycling to a station, in minutes (reference: walking).
#: Stands for bicycle availability, locking/unlocking, weather. Calibrated (not estimated) so
#: that the base access split of the assigned PT trips is close to DSB's S-tog access survey
#: 2006 (walk 52 %, bicycle 18 %, bus 23 %, car 6 %: http://train-velo.voirie-pour-tous.info/
#: Ez_Politique_COPENHAGUE_E.html, renormalised without car: 55/19/25; the model gives
#: 53/20/27 on the base PT trips, see ``docs/model.md``, section 6). Calibration band 10-18.
ACCESS_ASC_BIKE_MIN: float = 14.0
#: Alternative-specific constant of the feeder bus (minutes, on top of ``FEEDER_WAIT_MIN``):
#: calibrated as above. Calibration band 5-13.
ACCESS_ASC_FEEDER_MIN: float = 9.0
# Egress (destination end): walking or feeder only. Bicycles taken on the train or parked at
# the destination station are left out (the DSB survey does not report them; their share is
# small), so the egress logit has no cycling alternative.
#: Street distance over straight-line distance for walking, cycling and feeder legs.
ACCESS_CIRCUITY: float = 1.25
#: Number of nearest stations and stops each zone connects to.
ACCESS_STATIONS_K: int = 8
#: Direct walking between zones (no vehicle) is allowed up to this distance (metres).
DIRECT_WALK_MAX_M: float = 3000.0
#: Mean trip length inside one 1 km zone (metres).
INTRAZONAL_DISTANCE_M: float = 500.0

# ---- car -------------------------------------------------------------------------------------
#: Number of nearest road skeleton nodes each zone connects to over local roads.
CAR_ACCESS_NODES_K: int = 3
#: Time to park and walk to the door, added at each end of a car trip (minutes).
CAR_TERMINAL_MIN: float = 2.0
#: A zone is urban (for the speed of its local roads) from this many residents per km^2 cell.
URBAN_MIN_POPULATION: int = 1000
#: Value of travel time used to turn money (road pricing) into minutes, DKK per minute.
#: About 105 DKK/h in 2024 prices, after the Danish unit prices for transport appraisal
#: (Transportøkonomiske Enhedspriser, DTU/Transportministeriet), rounded.
VALUE_OF_TIME_DKK_PER_MIN: float = 1.75
#: Driving to a park-and-ride: time to park and walk to the platform (minutes).
PARK_AND_RIDE_MIN: float = 5.0

# ---- roads: money costs, time periods and congestion (see docs/model.md (section 9)) --------------
#: Perceived car operating cost (fuel or energy, tyres, maintenance), DKK per vehicle-km.
#: ASSUMPTION 1.0 (low 0.6, high 1.6): energy 0.53-0.92 DKK/km (bilviden.dk fuel cost per
#: 100 km, small to large petrol cars; geodata-src/demand/appraisal_and_demand_figures.csv,
#: row "Fuel/energy cost per 100 km") plus wear; TØE's value was not readable offline.
CAR_OPERATING_COST_DKK_PER_KM: float = 1.0
#: Parking charge per car visit to central København (zones within PARKING_CENTRAL_RADIUS_M of
#: København H) and to the rest of København and Frederiksberg municipalities (DKK per visit;
#: split evenly over the trip there and the trip back). ASSUMPTION central 40 (low 15, high 70),
#: inner 12 (low 0, high 30): paid street parking in the red/green zones costs up to about
#: 40 DKK an hour, many visitors park free at work or at home.
PARKING_CENTRAL_DKK: float = 40.0
PARKING_INNER_DKK: float = 12.0
PARKING_CENTRAL_RADIUS_M: float = 3000.0
#: Share of weekday car trips made in the two peak periods (07-09 and 15-17) and the hours
#: they span; the rest spread over OFFPEAK_HOURS. The peak hour holds
#: PEAK_SHARE / PEAK_HOURS of daily trips (0.075), an off-peak hour (1 - PEAK_SHARE) /
#: OFFPEAK_HOURS (0.05). The same share weights the peak and off-peak skims into the daily
#: car time. ASSUMPTION 0.30 (low 0.25, high 0.40).
PEAK_SHARE_OF_DAILY_CAR_TRIPS: float = 0.30
PEAK_HOURS: float = 4.0
OFFPEAK_HOURS: float = 14.0
#: Persons per car on the model's car trips (person trips -> vehicles). ASSUMPTION 1.3
#: (low 1.1, high 1.5).
CAR_OCCUPANCY: float = 1.3
#: Relative gap at which the equilibrium assignment stops, and its iteration limit.
ASSIGNMENT_GAP: float = 1e-3
ASSIGNMENT_MAX_ITER: int = 400
#: Congestion in the scenario loop (see docs/model.md (section 9), "Integration"). Numerical
#: settings, not behavioural parameters:
#: a scenario whose roads, charges and speeds are unchanged re-assigns its car trips only
#: when its car vehicle-km change by at least this share of the base (smaller mode shifts
#: leave the base congestion: the congestion relief they would bring is left out);
CONGESTION_REASSIGN_MIN_SHARE: float = 0.001
#: after the scenario's re-assignment, car skim cells whose minutes driven change by less than
#: this (and whose km and money change by less than 0.01 km / 0.01 DKK) keep their base values,
#: so the pivot works on the changed pairs only (minutes).
CAR_SKIM_SNAP_MIN: float = 0.02
#: Low/high ranges of the road ASSUMPTIONS above (for the appraisal's sensitivity runs).
ROAD_ASSUMPTION_RANGES: dict[str, tuple[float, float]] = {
    "CAR_OPERATING_COST_DKK_PER_KM": (0.6, 1.6),
    "PARKING_CENTRAL_DKK": (15.0, 70.0),
    "PARKING_INNER_DKK": (0.0, 30.0),
    "PEAK_SHARE_OF_DAILY_CAR_TRIPS": (0.25, 0.40),
    "CAR_OCCUPANCY": (1.1, 1.5),
}

# ---- metrics (the demand model's parameters are in geodata/demand_parameters.csv) ------------
#: Generalised times are capped here (minutes) so that unreachable pairs stay finite.
MAX_TIME_MIN: float = 300.0
#: A municipality "gains" when its population-weighted accessibility grows by at least this
#: percentage.
GAIN_THRESHOLD_PCT: float = 0.05


#: Low/high ranges of the access-choice parameters (ASSUMPTION or calibration band), for
#: sensitivity tests.
ACCESS_CHOICE_RANGES: dict[str, tuple[float, float]] = {
    "ACCESS_LOGIT_SCALE_PER_MIN": (0.10, 0.30),
    "ACCESS_ASC_BIKE_MIN": (10.0, 18.0),
    "ACCESS_ASC_FEEDER_MIN": (5.0, 13.0),
    "BIKE_PARKING_MIN": (1.0, 5.0),
}


def snapshot() -> dict[str, float | int]:
    """All parameters and their current values (part of every cache key)."""
    return {k: v for k, v in globals().items() if k.isupper() and isinstance(v, int | float)}
