-- One database per service on one server (eShop's AppHost pattern); run once by the postgres image.
CREATE DATABASE rank;
CREATE DATABASE appraisal;
CREATE DATABASE petitions;
CREATE DATABASE tolerance;
