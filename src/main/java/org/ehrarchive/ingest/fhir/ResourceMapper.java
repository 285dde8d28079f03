package org.ehrarchive.ingest.fhir;

import static org.ehrarchive.ingest.fhir.FhirValues.code;
import static org.ehrarchive.ingest.fhir.FhirValues.coded;
import static org.ehrarchive.ingest.fhir.FhirValues.label;
import static org.ehrarchive.ingest.fhir.FhirValues.labels;
import static org.ehrarchive.ingest.fhir.FhirValues.period;
import static org.ehrarchive.ingest.fhir.FhirValues.quantity;
import static org.ehrarchive.ingest.fhir.FhirValues.time;
import static org.ehrarchive.ingest.fhir.FhirValues.value;
import static org.ehrarchive.ingest.fhir.FhirValues.when;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.ehrarchive.ingest.ImportedDocument;
import org.ehrarchive.ingest.ImportedEntry;
import org.ehrarchive.ingest.ImportedPatient;
import org.ehrarchive.record.Coded;
import org.ehrarchive.record.ContactPoint;
import org.ehrarchive.record.EntryKind;
import org.ehrarchive.record.Identifier;
import org.ehrarchive.record.ObservedValue;
import org.ehrarchive.record.Party;
import org.ehrarchive.record.PersonName;
import org.ehrarchive.record.PostalAddress;
import org.ehrarchive.record.ReferenceRange;
import org.ehrarchive.record.TimePeriod;
import org.ehrarchive.record.TimeValue;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.ContactPoint.ContactPointSystem;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Type;
import org.jsoup.Jsoup;

/**
 * Maps FHIR R4 resources (HAPI's structures) into the normalized record (docs/formats/fhir.md): a Patient into the
 * patient a source describes, each clinical resource into one entry of its kind, reference data into the names rows
 * show. What the model has no column for goes into an entry's details; the resource itself stays byte-exact in the
 * original at the record's locator.
 */
final class ResourceMapper {

    private static final String RACE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";
    private static final String ETHNICITY = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity";
    private static final String BIRTH_SEX = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex";

    private final References references;

    ResourceMapper(References references) {
        this.references = references;
    }

    // ---- patients --------------------------------------------------------------------------------------------

    ImportedPatient patient(Patient patient, String locator) {
        List<Identifier> identifiers = new ArrayList<>();
        for (org.hl7.fhir.r4.model.Identifier identifier : patient.getIdentifier()) {
            Identifier mapped = FhirValues.identifier(identifier);
            if (mapped != null) {
                identifiers.add(mapped);
            }
        }
        List<PersonName> names = patient.getName().stream().map(ResourceMapper::name).toList();
        List<Coded> races = new ArrayList<>();
        List<Coded> ethnicities = new ArrayList<>();
        for (Extension extension : patient.getExtension()) {
            if (RACE.equals(extension.getUrl())) {
                races.addAll(ombCategories(extension));
            } else if (ETHNICITY.equals(extension.getUrl())) {
                ethnicities.addAll(ombCategories(extension));
            }
        }
        List<Coded> languages = new ArrayList<>();
        for (Patient.PatientCommunicationComponent communication : patient.getCommunication()) {
            Coded language = coded(communication.getLanguage());
            if (language != null) {
                languages.add(language);
            }
        }
        Boolean deceased = null;
        TimeValue deceasedTime = null;
        if (patient.hasDeceasedBooleanType()) {
            deceased = patient.getDeceasedBooleanType().getValue();
        } else if (patient.hasDeceasedDateTimeType()) {
            deceased = Boolean.TRUE;
            deceasedTime = time(patient.getDeceasedDateTimeType());
        }
        Coded sex = patient.hasGender() ? code(patient.getGender().toCode(), "http://hl7.org/fhir/administrative-gender",
                patient.getGender().getDisplay()) : null;
        return new ImportedPatient(locator, identifiers, names, patient.hasBirthDate() ? time(patient.getBirthDateElement()) : null, sex,
                patient.getAddress().stream().map(ResourceMapper::address).toList(),
                patient.getTelecom().stream().map(ResourceMapper::contact).toList(), deceased, deceasedTime,
                coded(patient.getMaritalStatus()), races, ethnicities, languages, null);
    }

    /** A Patient resource is the document its patient's resources hang under: its header is the resource's own. */
    ImportedDocument document(Patient patient, String locator, String json) {
        Identifier id = patient.hasIdElement() && patient.getIdElement().getIdPart() != null
                ? new Identifier("urn:ehr-archive:fhir-resource", "Patient/" + patient.getIdElement().getIdPart(), null, null) : null;
        List<String> profiles = patient.getMeta().getProfile().stream().map(p -> p.getValue()).toList();
        Party custodian = patient.hasManagingOrganization()
                ? new Party("custodian", List.of(), null, display(patient.getManagingOrganization()), null, null, List.of(), List.of())
                : null;
        return new ImportedDocument(locator, id, null, patient.getMeta().getVersionId(),
                code("Patient", "http://hl7.org/fhir/resource-types", "Patient"), "FHIR Patient resource",
                patient.getMeta().hasLastUpdated() ? time(patient.getMeta().getLastUpdatedElement()) : null, null,
                patient.getLanguage(), profiles, List.of(), custodian, json);
    }

    private static List<Coded> ombCategories(Extension extension) {
        List<Coded> categories = new ArrayList<>();
        String text = null;
        for (Extension part : extension.getExtension()) {
            if (("ombCategory".equals(part.getUrl()) || "detailed".equals(part.getUrl()))
                    && part.getValue() instanceof org.hl7.fhir.r4.model.Coding coding) {
                categories.add(coded(coding));
            } else if ("text".equals(part.getUrl()) && part.getValue() != null) {
                text = part.getValue().primitiveValue();
            }
        }
        if (categories.isEmpty() && text != null) {
            categories.add(new Coded(null, null, null, null, text, null, List.of(), List.of()));
        }
        return categories;
    }

    private static PersonName name(HumanName name) {
        return new PersonName(name.hasUse() ? name.getUse().toCode() : null, strings(name.getPrefix()), strings(name.getGiven()),
                name.hasFamily() ? List.of(name.getFamily()) : List.of(), strings(name.getSuffix()), name.getText(),
                period(name.getPeriod()), null);
    }

    private static PostalAddress address(Address address) {
        return new PostalAddress(address.hasUse() ? address.getUse().toCode() : null, strings(address.getLine()), address.getCity(),
                address.getState(), address.getPostalCode(), address.getCountry(), address.getDistrict(), address.getText(),
                period(address.getPeriod()), null);
    }

    private static ContactPoint contact(org.hl7.fhir.r4.model.ContactPoint point) {
        String value = point.getValue();
        if (value != null && point.hasSystem()) {
            ContactPointSystem system = point.getSystem();
            value = switch (system) {
                case PHONE, FAX, SMS, PAGER -> "tel:" + value;
                case EMAIL -> "mailto:" + value;
                default -> value;
            };
        }
        return new ContactPoint(value, point.hasUse() ? point.getUse().toCode() : null, null);
    }

    private static List<String> strings(List<? extends org.hl7.fhir.r4.model.PrimitiveType<?>> values) {
        return values.stream().map(v -> v.getValueAsString()).filter(v -> v != null).toList();
    }

    // ---- reference data ----------------------------------------------------------------------------------------

    /** Remembers what a reference resource is called (an organization's name, a practitioner's), for the rows that name it. */
    void remember(Resource resource, String fullUrl) {
        String id = resource.getIdElement().getIdPart();
        if (resource instanceof Organization organization) {
            references.name("Organization", id, fullUrl, identifiers(organization.getIdentifier()), organization.getName());
        } else if (resource instanceof Practitioner practitioner) {
            String name = practitioner.hasName() ? name(practitioner.getNameFirstRep()).display() : null;
            references.name("Practitioner", id, fullUrl, identifiers(practitioner.getIdentifier()), name);
        } else if (resource instanceof PractitionerRole role) {
            String name = role.hasPractitioner() ? display(role.getPractitioner()) : null;
            references.name("PractitionerRole", id, fullUrl, identifiers(role.getIdentifier()), name);
        } else if (resource instanceof org.hl7.fhir.r4.model.Location location) {
            references.name("Location", id, fullUrl, identifiers(location.getIdentifier()), location.getName());
        } else if (resource instanceof Medication medication) {
            references.medication(id, fullUrl, coded(medication.getCode()));
        }
    }

    private static List<Identifier> identifiers(List<org.hl7.fhir.r4.model.Identifier> identifiers) {
        return identifiers.stream().map(FhirValues::identifier).filter(i -> i != null).toList();
    }

    /** What a reference shows: its display, else the name of the resource it names, else the reference itself. */
    String display(Reference reference) {
        if (reference == null || reference.isEmpty()) {
            return null;
        }
        if (reference.hasDisplay()) {
            return reference.getDisplay();
        }
        String named = references.name(reference.getReference());
        if (named != null) {
            return named;
        }
        if (reference.hasReference()) {
            return reference.getReference();
        }
        return reference.hasIdentifier() ? reference.getIdentifier().getValue() : null;
    }

    private List<String> displays(List<Reference> references) {
        List<String> shown = new ArrayList<>();
        for (Reference reference : references) {
            String display = display(reference);
            if (display != null) {
                shown.add(display);
            }
        }
        return shown;
    }

    // ---- clinical resources --------------------------------------------------------------------------------------

    /** Whether the resource is of a type the record models as an entry (else it is kept raw on its patient). */
    static boolean maps(Resource resource) {
        return resource instanceof Encounter || resource instanceof Condition || resource instanceof AllergyIntolerance
                || resource instanceof MedicationRequest || resource instanceof MedicationStatement || resource instanceof MedicationAdministration
                || resource instanceof Observation || resource instanceof DiagnosticReport || resource instanceof Immunization
                || resource instanceof Procedure || resource instanceof CarePlan || resource instanceof CareTeam || resource instanceof Device
                || resource instanceof ImagingStudy || resource instanceof DocumentReference;
    }

    /** The entry a clinical resource maps to, or null when the type is not one the record models (it is kept raw). */
    ImportedEntry entry(Resource resource, String locator) {
        Details details = new Details();
        if (resource instanceof Encounter encounter) {
            return encounter(encounter, locator, details);
        } else if (resource instanceof Condition condition) {
            return condition(condition, locator, details);
        } else if (resource instanceof AllergyIntolerance allergy) {
            return allergy(allergy, locator, details);
        } else if (resource instanceof MedicationRequest request) {
            return medicationRequest(request, locator, details);
        } else if (resource instanceof MedicationStatement statement) {
            return medicationStatement(statement, locator, details);
        } else if (resource instanceof MedicationAdministration administration) {
            return medicationAdministration(administration, locator, details);
        } else if (resource instanceof Observation observation) {
            return observation(observation, locator, details);
        } else if (resource instanceof DiagnosticReport report) {
            return diagnosticReport(report, locator, details);
        } else if (resource instanceof Immunization immunization) {
            return immunization(immunization, locator, details);
        } else if (resource instanceof Procedure procedure) {
            return procedure(procedure, locator, details);
        } else if (resource instanceof CarePlan plan) {
            return carePlan(plan, locator, details);
        } else if (resource instanceof CareTeam team) {
            return careTeam(team, locator, details);
        } else if (resource instanceof Device device) {
            return device(device, locator, details);
        } else if (resource instanceof ImagingStudy study) {
            return imagingStudy(study, locator, details);
        } else if (resource instanceof DocumentReference document) {
            return documentReference(document, locator, details);
        }
        return null;
    }

    /** Builds an entry's details in the order they are set, leaving out what is empty. */
    private static final class Details {
        final Map<String, Object> values = new LinkedHashMap<>();

        Details put(String name, Object value) {
            if (value == null || value instanceof String s && s.isBlank() || value instanceof List<?> l && l.isEmpty()
                    || value instanceof Map<?, ?> m && m.isEmpty()) {
                return this;
            }
            values.put(name, value);
            return this;
        }
    }

    private ImportedEntry entry(DomainResource resource, EntryKind kind, Coded code, String status, boolean negated, String mood,
            TimePeriod effective, List<ObservedValue> values, List<Coded> interpretations, List<ReferenceRange> ranges, Details details,
            String locator) {
        details.put("resource", resource.fhirType() + (resource.hasIdElement() && resource.getIdElement().getIdPart() != null
                ? "/" + resource.getIdElement().getIdPart() : ""));
        if (resource.getMeta().hasVersionId()) {
            details.put("versionId", resource.getMeta().getVersionId());
        }
        if (resource.getMeta().hasLastUpdated()) {
            details.put("lastUpdated", resource.getMeta().getLastUpdatedElement().getValueAsString());
        }
        List<String> extensions = new ArrayList<>();
        for (Extension extension : resource.getExtension()) {
            extensions.add(extension.getUrl());
        }
        details.put("extensions", extensions);
        return new ImportedEntry(null, kind, code, status, negated, mood, effective, values == null ? List.of() : values,
                interpretations == null ? List.of() : interpretations, ranges == null ? List.of() : ranges, details.values,
                narrative(resource), locator);
    }

    /** The resource's narrative ({@code text.div}) as plain text: words only, nothing of its markup reaches a page. */
    static String narrative(DomainResource resource) {
        if (!resource.hasText() || !resource.getText().hasDiv()) {
            return null;
        }
        String xhtml = resource.getText().getDivAsString();
        if (xhtml == null || xhtml.isBlank()) {
            return null;
        }
        String text = Jsoup.parse(xhtml).text();
        return text.isBlank() ? null : text;
    }

    private ImportedEntry encounter(Encounter encounter, String locator, Details details) {
        Coded code = encounter.hasType() ? coded(encounter.getTypeFirstRep()) : coded(encounter.getClass_());
        details.put("class", encounter.hasClass_() ? coded(encounter.getClass_()) : null)
                .put("serviceType", label(encounter.getServiceType()))
                .put("reasons", labels(encounter.getReasonCode()))
                .put("participants", encounter.getParticipant().stream().map(p -> display(p.getIndividual())).filter(p -> p != null).toList())
                .put("locations", encounter.getLocation().stream().map(l -> display(l.getLocation())).filter(l -> l != null).toList())
                .put("serviceProvider", display(encounter.getServiceProvider()))
                .put("dischargeDisposition", encounter.hasHospitalization() ? label(encounter.getHospitalization().getDischargeDisposition()) : null)
                .put("identifiers", identifierValues(encounter.getIdentifier()));
        return entry(encounter, EntryKind.ENCOUNTER, code, encounter.hasStatus() ? encounter.getStatus().toCode() : null, false, "EVN",
                period(encounter.getPeriod()), null, null, null, details, locator);
    }

    private ImportedEntry condition(Condition condition, String locator, Details details) {
        String verification = condition.hasVerificationStatus() ? statusCode(condition.getVerificationStatus()) : null;
        details.put("verificationStatus", verification)
                .put("categories", labels(condition.getCategory()))
                .put("severity", label(condition.getSeverity()))
                .put("bodySites", labels(condition.getBodySite()))
                .put("recordedDate", condition.hasRecordedDate() ? condition.getRecordedDateElement().getValueAsString() : null)
                .put("recorder", display(condition.getRecorder()))
                .put("encounter", display(condition.getEncounter()))
                .put("notes", notes(condition.getNote()));
        return entry(condition, EntryKind.PROBLEM, coded(condition.getCode()),
                condition.hasClinicalStatus() ? statusCode(condition.getClinicalStatus()) : null, "refuted".equals(verification), "EVN",
                FhirValues.between(condition.getOnset(), condition.getAbatement()), null, null, null, details, locator);
    }

    private ImportedEntry allergy(AllergyIntolerance allergy, String locator, Details details) {
        String verification = allergy.hasVerificationStatus() ? statusCode(allergy.getVerificationStatus()) : null;
        List<Map<String, Object>> reactions = new ArrayList<>();
        for (AllergyIntolerance.AllergyIntoleranceReactionComponent reaction : allergy.getReaction()) {
            Details one = new Details().put("substance", label(reaction.getSubstance()))
                    .put("manifestations", labels(reaction.getManifestation()))
                    .put("severity", reaction.hasSeverity() ? reaction.getSeverity().toCode() : null)
                    .put("description", reaction.getDescription())
                    .put("onset", reaction.hasOnset() ? reaction.getOnsetElement().getValueAsString() : null);
            reactions.add(one.values);
        }
        details.put("type", allergy.hasType() ? allergy.getType().toCode() : null)
                .put("categories", allergy.getCategory().stream().map(c -> c.getValue() == null ? null : c.getValue().toCode())
                        .filter(c -> c != null).toList())
                .put("criticality", allergy.hasCriticality() ? allergy.getCriticality().toCode() : null)
                .put("verificationStatus", verification)
                .put("reactions", reactions)
                .put("recordedDate", allergy.hasRecordedDate() ? allergy.getRecordedDateElement().getValueAsString() : null)
                .put("lastOccurrence", allergy.hasLastOccurrence() ? allergy.getLastOccurrenceElement().getValueAsString() : null)
                .put("notes", notes(allergy.getNote()));
        List<ObservedValue> manifestations = new ArrayList<>();
        for (AllergyIntolerance.AllergyIntoleranceReactionComponent reaction : allergy.getReaction()) {
            for (CodeableConcept manifestation : reaction.getManifestation()) {
                manifestations.add(value(manifestation));
            }
        }
        return entry(allergy, EntryKind.ALLERGY, coded(allergy.getCode()),
                allergy.hasClinicalStatus() ? statusCode(allergy.getClinicalStatus()) : null, "refuted".equals(verification), "EVN",
                when(allergy.getOnset()), manifestations, null, null, details, locator);
    }

    /** The code of a status given as a CodeableConcept (FHIR's clinical and verification statuses). */
    private static String statusCode(CodeableConcept concept) {
        Coded coded = coded(concept);
        return coded == null ? null : coded.code() != null ? coded.code() : coded.label();
    }

    private Coded medication(Type medication) {
        if (medication instanceof CodeableConcept concept) {
            return coded(concept);
        }
        if (medication instanceof Reference reference) {
            Coded known = references.medication(reference.getReference());
            if (known != null) {
                return known;
            }
            String display = display(reference);
            return display == null ? null : new Coded(null, null, null, null, display, null, List.of(), List.of());
        }
        return null;
    }

    private List<Map<String, Object>> dosages(List<Dosage> dosages) {
        List<Map<String, Object>> shown = new ArrayList<>();
        for (Dosage dosage : dosages) {
            Details one = new Details().put("text", dosage.getText())
                    .put("asNeeded", dosage.hasAsNeededBooleanType() ? dosage.getAsNeededBooleanType().getValueAsString() : null)
                    .put("route", label(dosage.getRoute()))
                    .put("timing", dosage.hasTiming() && dosage.getTiming().hasRepeat() ? timing(dosage.getTiming().getRepeat()) : null);
            for (Dosage.DosageDoseAndRateComponent rate : dosage.getDoseAndRate()) {
                if (rate.hasDoseQuantity()) {
                    one.put("dose", FhirValues.text(quantity(rate.getDoseQuantity())));
                }
            }
            shown.add(one.values);
        }
        return shown;
    }

    private static String timing(org.hl7.fhir.r4.model.Timing.TimingRepeatComponent repeat) {
        if (!repeat.hasFrequency() && !repeat.hasPeriod()) {
            return null;
        }
        return repeat.getFrequency() + " per " + (repeat.hasPeriod() ? repeat.getPeriod().toPlainString() + " " : "")
                + (repeat.hasPeriodUnit() ? repeat.getPeriodUnit().toCode() : "");
    }

    private ImportedEntry medicationRequest(MedicationRequest request, String locator, Details details) {
        details.put("intent", request.hasIntent() ? request.getIntent().toCode() : null)
                .put("dosage", dosages(request.getDosageInstruction()))
                .put("requester", display(request.getRequester()))
                .put("reasons", labels(request.getReasonCode()))
                .put("reasonReferences", displays(request.getReasonReference()))
                .put("encounter", display(request.getEncounter()))
                .put("dispenseQuantity", request.hasDispenseRequest() && request.getDispenseRequest().hasQuantity()
                        ? FhirValues.text(quantity(request.getDispenseRequest().getQuantity())) : null)
                .put("notes", notes(request.getNote()));
        return entry(request, EntryKind.MEDICATION, medication(request.getMedication()),
                request.hasStatus() ? request.getStatus().toCode() : null, request.getDoNotPerform(), "INT",
                request.hasAuthoredOn() ? new TimePeriod(time(request.getAuthoredOnElement()), null, null, null) : null, null, null, null,
                details, locator);
    }

    private ImportedEntry medicationStatement(MedicationStatement statement, String locator, Details details) {
        details.put("dosage", dosages(statement.getDosage()))
                .put("reasons", labels(statement.getReasonCode()))
                .put("informationSource", display(statement.getInformationSource()))
                .put("dateAsserted", statement.hasDateAsserted() ? statement.getDateAssertedElement().getValueAsString() : null)
                .put("notes", notes(statement.getNote()));
        String status = statement.hasStatus() ? statement.getStatus().toCode() : null;
        return entry(statement, EntryKind.MEDICATION, medication(statement.getMedication()), status, "not-taken".equals(status), "EVN",
                when(statement.getEffective()), null, null, null, details, locator);
    }

    private ImportedEntry medicationAdministration(MedicationAdministration administration, String locator, Details details) {
        MedicationAdministration.MedicationAdministrationDosageComponent dosage = administration.getDosage();
        details.put("dose", dosage != null && dosage.hasDose() ? FhirValues.text(quantity(dosage.getDose())) : null)
                .put("route", dosage != null ? label(dosage.getRoute()) : null)
                .put("reasons", labels(administration.getReasonCode()))
                .put("performers", administration.getPerformer().stream().map(p -> display(p.getActor())).filter(p -> p != null).toList())
                .put("context", display(administration.getContext()))
                .put("notes", notes(administration.getNote()));
        String status = administration.hasStatus() ? administration.getStatus().toCode() : null;
        return entry(administration, EntryKind.MEDICATION, medication(administration.getMedication()), status, "not-done".equals(status),
                "EVN", when(administration.getEffective()), null, null, null, details, locator);
    }

    private ImportedEntry observation(Observation observation, String locator, Details details) {
        List<String> categories = new ArrayList<>();
        for (CodeableConcept category : observation.getCategory()) {
            for (org.hl7.fhir.r4.model.Coding coding : category.getCoding()) {
                if (coding.hasCode()) {
                    categories.add(coding.getCode());
                }
            }
        }
        EntryKind kind = categories.contains("vital-signs") ? EntryKind.VITAL_SIGN
                : categories.contains("social-history") ? EntryKind.SOCIAL_HISTORY : EntryKind.RESULT;
        List<ObservedValue> values = new ArrayList<>();
        ObservedValue own = value(observation.getValue());
        if (own != null) {
            values.add(own);
        }
        List<Map<String, Object>> components = new ArrayList<>();
        for (Observation.ObservationComponentComponent component : observation.getComponent()) {
            ObservedValue componentValue = value(component.getValue());
            if (componentValue != null) {
                values.add(componentValue);
            }
            components.add(new Details().put("code", coded(component.getCode())).put("value", componentValue)
                    .put("dataAbsentReason", label(component.getDataAbsentReason()))
                    .put("interpretations", labels(component.getInterpretation())).values);
        }
        List<Coded> interpretations = observation.getInterpretation().stream().map(FhirValues::coded).filter(c -> c != null).toList();
        List<ReferenceRange> ranges = observation.getReferenceRange().stream().map(FhirValues::range).toList();
        details.put("categories", categories)
                .put("components", components)
                .put("dataAbsentReason", label(observation.getDataAbsentReason()))
                .put("issued", observation.hasIssued() ? observation.getIssuedElement().getValueAsString() : null)
                .put("performers", displays(observation.getPerformer()))
                .put("bodySite", label(observation.getBodySite()))
                .put("method", label(observation.getMethod()))
                .put("encounter", display(observation.getEncounter()))
                .put("hasMember", displays(observation.getHasMember()))
                .put("derivedFrom", displays(observation.getDerivedFrom()))
                .put("notes", notes(observation.getNote()));
        return entry(observation, kind, coded(observation.getCode()), observation.hasStatus() ? observation.getStatus().toCode() : null,
                false, "EVN", when(observation.getEffective()), values, interpretations, ranges, details, locator);
    }

    private ImportedEntry diagnosticReport(DiagnosticReport report, String locator, Details details) {
        details.put("categories", labels(report.getCategory()))
                .put("results", displays(report.getResult()))
                .put("conclusion", report.getConclusion())
                .put("conclusionCodes", labels(report.getConclusionCode()))
                .put("issued", report.hasIssued() ? report.getIssuedElement().getValueAsString() : null)
                .put("performers", displays(report.getPerformer()))
                .put("resultsInterpreters", displays(report.getResultsInterpreter()))
                .put("encounter", display(report.getEncounter()))
                .put("presentedForms", attachments(report.getPresentedForm()));
        List<ObservedValue> values = report.hasConclusion()
                ? List.of(new ObservedValue("ST", null, null, null, null, report.getConclusion(), null)) : List.of();
        return entry(report, EntryKind.RESULT, coded(report.getCode()), report.hasStatus() ? report.getStatus().toCode() : null, false,
                "EVN", when(report.getEffective()), values, null, null, details, locator);
    }

    private ImportedEntry immunization(Immunization immunization, String locator, Details details) {
        details.put("lotNumber", immunization.getLotNumber())
                .put("site", label(immunization.getSite()))
                .put("route", label(immunization.getRoute()))
                .put("dose", immunization.hasDoseQuantity() ? FhirValues.text(quantity(immunization.getDoseQuantity())) : null)
                .put("primarySource", immunization.hasPrimarySource() ? immunization.getPrimarySourceElement().getValueAsString() : null)
                .put("performers", immunization.getPerformer().stream().map(p -> display(p.getActor())).filter(p -> p != null).toList())
                .put("reasons", labels(immunization.getReasonCode()))
                .put("statusReason", label(immunization.getStatusReason()))
                .put("manufacturer", display(immunization.getManufacturer()))
                .put("location", display(immunization.getLocation()))
                .put("encounter", display(immunization.getEncounter()))
                .put("doseNumbers", immunization.getProtocolApplied().stream()
                        .map(p -> p.hasDoseNumber() ? p.getDoseNumber().primitiveValue() : null).filter(d -> d != null).toList())
                .put("notes", notes(immunization.getNote()));
        String status = immunization.hasStatus() ? immunization.getStatus().toCode() : null;
        return entry(immunization, EntryKind.IMMUNIZATION, coded(immunization.getVaccineCode()), status, "not-done".equals(status), "EVN",
                when(immunization.getOccurrence()), null, null, null, details, locator);
    }

    private ImportedEntry procedure(Procedure procedure, String locator, Details details) {
        details.put("category", label(procedure.getCategory()))
                .put("reasons", labels(procedure.getReasonCode()))
                .put("reasonReferences", displays(procedure.getReasonReference()))
                .put("bodySites", labels(procedure.getBodySite()))
                .put("outcome", label(procedure.getOutcome()))
                .put("performers", procedure.getPerformer().stream().map(p -> display(p.getActor())).filter(p -> p != null).toList())
                .put("location", display(procedure.getLocation()))
                .put("encounter", display(procedure.getEncounter()))
                .put("notes", notes(procedure.getNote()));
        String status = procedure.hasStatus() ? procedure.getStatus().toCode() : null;
        return entry(procedure, EntryKind.PROCEDURE, coded(procedure.getCode()), status, "not-done".equals(status), "EVN",
                when(procedure.getPerformed()), null, null, null, details, locator);
    }

    private ImportedEntry carePlan(CarePlan plan, String locator, Details details) {
        List<Map<String, Object>> activities = new ArrayList<>();
        for (CarePlan.CarePlanActivityComponent activity : plan.getActivity()) {
            if (activity.hasDetail()) {
                activities.add(new Details().put("code", label(activity.getDetail().getCode()))
                        .put("status", activity.getDetail().hasStatus() ? activity.getDetail().getStatus().toCode() : null)
                        .put("location", display(activity.getDetail().getLocation())).values);
            } else if (activity.hasReference()) {
                activities.add(new Details().put("reference", display(activity.getReference())).values);
            }
        }
        Coded code = plan.hasCategory() ? coded(plan.getCategory().get(plan.getCategory().size() > 1 ? 1 : 0))
                : plan.hasTitle() ? new Coded(null, null, null, null, plan.getTitle(), null, List.of(), List.of()) : null;
        details.put("title", plan.getTitle())
                .put("intent", plan.hasIntent() ? plan.getIntent().toCode() : null)
                .put("categories", labels(plan.getCategory()))
                .put("addresses", displays(plan.getAddresses()))
                .put("activities", activities)
                .put("careTeams", displays(plan.getCareTeam()))
                .put("encounter", display(plan.getEncounter()))
                .put("description", plan.getDescription());
        return entry(plan, EntryKind.PLAN_OF_CARE, code, plan.hasStatus() ? plan.getStatus().toCode() : null, false, "INT",
                period(plan.getPeriod()), null, null, null, details, locator);
    }

    private ImportedEntry careTeam(CareTeam team, String locator, Details details) {
        List<Map<String, Object>> members = new ArrayList<>();
        for (CareTeam.CareTeamParticipantComponent participant : team.getParticipant()) {
            members.add(new Details().put("role", labels(participant.getRole())).put("member", display(participant.getMember()))
                    .put("onBehalfOf", display(participant.getOnBehalfOf())).values);
        }
        Coded code = team.hasReasonCode() ? coded(team.getReasonCodeFirstRep())
                : new Coded(null, null, null, null, team.hasName() ? team.getName() : "Care team", null, List.of(), List.of());
        details.put("name", team.getName())
                .put("categories", labels(team.getCategory()))
                .put("participants", members)
                .put("managingOrganizations", displays(team.getManagingOrganization()))
                .put("encounter", display(team.getEncounter()));
        return entry(team, EntryKind.PLAN_OF_CARE, code, team.hasStatus() ? team.getStatus().toCode() : null, false, "EVN",
                period(team.getPeriod()), null, null, null, details, locator);
    }

    private ImportedEntry device(Device device, String locator, Details details) {
        details.put("udi", device.getUdiCarrier().stream().map(u -> u.getDeviceIdentifier()).filter(u -> u != null).toList())
                .put("distinctIdentifier", device.getDistinctIdentifier())
                .put("manufacturer", device.getManufacturer())
                .put("lotNumber", device.getLotNumber())
                .put("serialNumber", device.getSerialNumber())
                .put("names", device.getDeviceName().stream().map(n -> n.getName()).filter(n -> n != null).toList())
                .put("manufactureDate", device.hasManufactureDate() ? device.getManufactureDateElement().getValueAsString() : null)
                .put("expirationDate", device.hasExpirationDate() ? device.getExpirationDateElement().getValueAsString() : null);
        TimePeriod effective = device.hasManufactureDate() || device.hasExpirationDate()
                ? new TimePeriod(null, time(device.getManufactureDateElement()), time(device.getExpirationDateElement()), null) : null;
        return entry(device, EntryKind.MEDICAL_EQUIPMENT, coded(device.getType()), device.hasStatus() ? device.getStatus().toCode() : null,
                false, "EVN", effective, null, null, null, details, locator);
    }

    private ImportedEntry imagingStudy(ImagingStudy study, String locator, Details details) {
        List<Map<String, Object>> series = new ArrayList<>();
        for (ImagingStudy.ImagingStudySeriesComponent one : study.getSeries()) {
            series.add(new Details().put("uid", one.getUid()).put("modality", one.hasModality() ? FhirValues.coded(one.getModality()) : null)
                    .put("bodySite", one.hasBodySite() ? FhirValues.coded(one.getBodySite()) : null)
                    .put("instances", one.getInstance().stream().map(i -> new Details().put("uid", i.getUid())
                            .put("sopClass", i.hasSopClass() ? i.getSopClass().getCode() : null).put("title", i.getTitle()).values).toList()).values);
        }
        Coded code = study.hasProcedureCode() ? coded(study.getProcedureCodeFirstRep())
                : study.hasSeries() && study.getSeriesFirstRep().hasModality() ? FhirValues.coded(study.getSeriesFirstRep().getModality())
                : study.hasModality() ? FhirValues.coded(study.getModalityFirstRep()) : null;
        details.put("identifiers", identifierValues(study.getIdentifier()))
                .put("numberOfSeries", study.hasNumberOfSeries() ? study.getNumberOfSeries() : null)
                .put("numberOfInstances", study.hasNumberOfInstances() ? study.getNumberOfInstances() : null)
                .put("series", series)
                .put("location", display(study.getLocation()))
                .put("encounter", display(study.getEncounter()))
                .put("description", study.getDescription());
        return entry(study, EntryKind.PROCEDURE, code, study.hasStatus() ? study.getStatus().toCode() : null, false, "EVN",
                study.hasStarted() ? new TimePeriod(time(study.getStartedElement()), null, null, null) : null, null, null, null,
                details, locator);
    }

    private ImportedEntry documentReference(DocumentReference document, String locator, Details details) {
        TimePeriod effective = document.hasContext() && document.getContext().hasPeriod() ? period(document.getContext().getPeriod())
                : document.hasDate() ? new TimePeriod(time(document.getDateElement()), null, null, null) : null;
        details.put("categories", labels(document.getCategory()))
                .put("docStatus", document.hasDocStatus() ? document.getDocStatus().toCode() : null)
                .put("authors", displays(document.getAuthor()))
                .put("custodian", display(document.getCustodian()))
                .put("description", document.getDescription())
                .put("masterIdentifier", document.hasMasterIdentifier() ? document.getMasterIdentifier().getValue() : null)
                .put("content", attachments(document.getContent().stream().map(c -> c.getAttachment()).toList()))
                .put("encounters", document.hasContext() ? displays(document.getContext().getEncounter()) : null);
        return entry(document, EntryKind.NOTE, coded(document.getType()), document.hasStatus() ? document.getStatus().toCode() : null, false,
                "EVN", effective, null, null, null, details, locator);
    }

    /** What an entry says of its attachments; their bytes are documents of their own in the blob store. */
    private static List<Map<String, Object>> attachments(List<Attachment> attachments) {
        List<Map<String, Object>> shown = new ArrayList<>();
        for (Attachment attachment : attachments) {
            shown.add(new Details().put("contentType", attachment.getContentType()).put("title", attachment.getTitle())
                    .put("url", attachment.getUrl()).put("size", attachment.hasSize() ? attachment.getSize() : null)
                    .put("inline", attachment.hasData() ? "yes" : null).values);
        }
        return shown;
    }

    private static List<String> identifierValues(List<org.hl7.fhir.r4.model.Identifier> identifiers) {
        return identifiers.stream().map(i -> i.getValue()).filter(v -> v != null).toList();
    }

    private static List<String> notes(List<Annotation> notes) {
        return notes.stream().map(Annotation::getText).filter(t -> t != null).toList();
    }
}
